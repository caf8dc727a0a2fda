"""The sandbox's host side: the client, the warm pool, bubblewrap, files in and out, the TeX cache, verdicts."""
