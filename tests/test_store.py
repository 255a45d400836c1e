from leongraph.store import Store


def test_select_returns_rows(store: Store) -> None:
    result = store.query("SELECT ?s WHERE { ?s a leon:Film }")
    assert result.kind == "select"
    assert [str(r[0]) for r in result.rows()] == [
        "https://w3id.org/leongraph/resource/leon-the-professional"
    ]


def test_ask(store: Store) -> None:
    assert store.query("ASK { ?s a leon:Film }").boolean is True
    assert store.query("ASK { ?s a leon:Nothing }").boolean is False


def test_healthz(client) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"
