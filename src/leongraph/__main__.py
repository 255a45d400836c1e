from leongraph.cli.main import main

raise SystemExit(main())
