from iddexi.cli import main

main()
