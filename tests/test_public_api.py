import leongraph


def test_all_is_sorted_and_complete() -> None:
    assert leongraph.__all__ == sorted(leongraph.__all__)
    for name in leongraph.__all__:
        assert hasattr(leongraph, name), name
