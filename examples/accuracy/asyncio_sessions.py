"""An asyncio server that keeps a Session per connection in a class-level
registry nobody trims, served by a client task.  Each Session brings its
own list, bytes, bytearray, tuples, strs and ints, all growing at the same
rate: the leak is the Session, the type whose growth holds the others, not
the int or str with the largest count.  Run without --type, objref-chain
must chain Session."""
import asyncio
import time


class Session:
    registry = []  # the leak: every Session ever opened

    def __init__(self, peer, request):
        self.peer = "%s:%d" % peer[:2]
        self.raw = bytes(request)
        self.buffer = bytearray(request)
        self.headers = [tuple(line.split(b": ", 1)) for line in request.split(b"\r\n")[1:] if line]
        self.opened = int(time.time() * 1000)
        self.counters = [self.opened + 1000, self.opened + 2000]
        Session.registry.append(self)


async def handle(reader, writer):
    request = await reader.readuntil(b"\r\n\r\n")
    Session(writer.get_extra_info("peername"), request)
    writer.write(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")
    await writer.drain()
    writer.close()


async def client(port, seconds):
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /item/%d HTTP/1.0\r\nHost: x\r\nX-Request: %d\r\n\r\n" % (n, n))
        await reader.read()
        writer.close()
        n += 1
        await asyncio.sleep(0.002)


async def main(seconds=3.0):
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    async with server:
        await client(server.sockets[0].getsockname()[1], seconds)


if __name__ == "__main__":
    asyncio.run(main())
