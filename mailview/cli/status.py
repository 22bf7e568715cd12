"""Exit codes every command shares."""

EXIT_OK = 0  # every input analysed (or the app closed normally)
EXIT_FAILED = 1  # the command could not do its work (e.g. an export could not be written)
EXIT_USAGE = 2  # the command line was wrong
EXIT_UNREADABLE = 3  # an input could not be read as a message
EXIT_INTERRUPTED = 130  # Ctrl+C (128 + SIGINT, as shells report it)
