"""A threaded HTTP server whose handler keeps every request in a module
global (an audit log nobody trims), served by a client thread.  The leak:
__main__.AUDIT grows by one (path, client, headers) tuple per request,
while the client's in-flight frames hold transient strs that die at once."""
import http.server
import threading
import time
import urllib.request

AUDIT = {}


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        rid = "r%d" % len(AUDIT)
        AUDIT[rid] = (self.path, "%s:%d" % self.client_address, str(self.headers))
        body = b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def client(port, stop):
    n = 0
    while not stop.is_set():
        with urllib.request.urlopen("http://127.0.0.1:%d/item/%d" % (port, n)) as r:
            r.read()
        n += 1
        time.sleep(0.002)


def main(seconds=3.0):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    stop = threading.Event()
    threading.Thread(target=client, args=(server.server_address[1], stop), daemon=True).start()
    time.sleep(seconds)


if __name__ == "__main__":
    main()
