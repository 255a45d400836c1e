from leongraph.cli import main

raise SystemExit(main())
