from komunigi.cli import main

main()
