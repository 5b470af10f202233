"""A tiny workspace app: serves the files in data/ over HTTP on port 8000."""

import functools
import http.server
import pathlib

DATA = pathlib.Path(__file__).resolve().parent / "data"


def main():
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(DATA))
    with http.server.ThreadingHTTPServer(("", 8000), handler) as server:
        print(f"serving {DATA} on port 8000", flush=True)
        server.serve_forever()


if __name__ == "__main__":
    main()
