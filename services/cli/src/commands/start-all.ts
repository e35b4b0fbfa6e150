// Starts a command's services: each listens, or, when one cannot (its port taken), every one of
// them is closed again and the error goes up, so the process exits non-zero instead of running
// half-started.
interface Service {
  listen(): Promise<unknown>;
  close(): Promise<void>;
}

export async function startAll(services: Service[]): Promise<void> {
  try {
    for (const service of services) await service.listen();
  } catch (err) {
    await Promise.allSettled(services.map((service) => service.close()));
    throw err;
  }
}
