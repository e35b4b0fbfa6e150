// The load generator's reference point: plain node:http answering every request with 200 and a
// manifest-sized body. What the load loop reaches against it is the client's own ceiling.
import { createServer } from 'node:http';

const body = Buffer.alloc(530, 'x');
const port = Number(process.argv[2]);
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
  res.end(body);
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.on('SIGINT', () => process.exit(0));
