from segverify.cli import main

main()
