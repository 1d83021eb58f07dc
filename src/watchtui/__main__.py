from watchtui.cli import main

raise SystemExit(main())
