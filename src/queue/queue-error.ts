/**
 * The queue's Redis server could not be reached, or went away while a short command ran: exit 1, with this message.
 * Its own module, free of ioredis and BullMQ, because the public declarations export it: a consumer's project type-checks without their types.
 */
export class QueueError extends Error {
  override name = 'QueueError';
}
