/** Wires the emulator's services together (one instance of each per emulator). */
import { ChatService } from './chats.js';
import type { EmulatorContext } from './context.js';
import { Deliverer } from './deliver.js';
import { Directory } from './directory.js';
import { FaultInjector } from './faults.js';
import { OutboundHttp } from './http-out.js';
import { InstallService } from './install.js';
import { PostService } from './posts.js';
import { RateLimiter, type RateLimitOptions } from './rate-limit.js';
import { RequestRecorder } from './recorder.js';
import { SubmitService } from './submit.js';
import { SubscriptionService } from './subscriptions.js';
import { WsGateway } from './ws-server.js';

/** All services of one emulator. */
export interface Services {
  ctx: EmulatorContext;
  http: OutboundHttp;
  recorder: RequestRecorder;
  faults: FaultInjector;
  /** RingCentral's rate limits, enforced on the REST API. */
  rateLimiter: RateLimiter;
  deliverer: Deliverer;
  directory: Directory;
  chats: ChatService;
  posts: PostService;
  subscriptions: SubscriptionService;
  install: InstallService;
  submits: SubmitService;
  ws: WsGateway;
}

/** Creates the services over `ctx`. */
export function createServices(ctx: EmulatorContext, rateLimits: RateLimitOptions = {}): Services {
  const http = new OutboundHttp(() => ctx.store.flush());
  const recorder = new RequestRecorder(ctx);
  const deliverer = new Deliverer(ctx, http);
  const directory = new Directory(ctx);
  const chats = new ChatService(ctx, directory, deliverer);
  const posts = new PostService(ctx, directory, chats, deliverer);
  const subscriptions = new SubscriptionService(ctx, deliverer, http);
  const rateLimiter = new RateLimiter(rateLimits);
  const faults = new FaultInjector(rateLimiter);
  const ws = new WsGateway(ctx, subscriptions, recorder, faults);
  deliverer.setWsTransport(ws);
  return {
    ctx,
    http,
    recorder,
    faults,
    rateLimiter,
    deliverer,
    directory,
    chats,
    posts,
    subscriptions,
    install: new InstallService(ctx, directory, chats, deliverer, subscriptions, http),
    submits: new SubmitService(ctx, directory, http),
    ws,
  };
}
