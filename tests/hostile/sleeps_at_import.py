"""A module that never finishes importing (it sleeps an hour first)."""

import time

time.sleep(3600)


class Queue:
    pass
