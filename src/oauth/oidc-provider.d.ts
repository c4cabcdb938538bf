/**
 * The little of oidc-provider's surface Registrar uses, typed loosely: the package ships no
 * declarations (DefinitelyTyped's lag its releases). Its documentation is the reference:
 * node_modules/oidc-provider/docs or the project's README.
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface AdapterPayload extends Record<string, unknown> {
    uid?: string;
    userCode?: string;
    grantId?: string;
    consumed?: number;
    exp?: number;
  }
  export interface Adapter {
    upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void>;
    find(id: string): Promise<AdapterPayload | undefined>;
    findByUid(uid: string): Promise<AdapterPayload | undefined>;
    findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
    consume(id: string): Promise<void>;
    destroy(id: string): Promise<void>;
    revokeByGrantId(grantId: string): Promise<void>;
  }

  type Loose = any;

  export interface InteractionDetails {
    uid: string;
    prompt: { name: string; reasons: string[]; details: Record<string, Loose> };
    params: Record<string, Loose>;
    session?: { accountId?: string };
    grantId?: string;
    lastSubmission?: Record<string, Loose>;
  }

  export default class Provider {
    constructor(issuer: string, configuration: Record<string, Loose>);
    issuer: string;
    proxy: boolean;
    Client: Loose;
    Grant: Loose;
    AccessToken: Loose;
    RefreshToken: Loose;
    ResourceServer: Loose;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(req: IncomingMessage, res: ServerResponse, result: Record<string, Loose>, options?: { mergeWithLastSubmission?: boolean }): Promise<void>;
    interactionResult(req: IncomingMessage, res: ServerResponse, result: Record<string, Loose>, options?: { mergeWithLastSubmission?: boolean }): Promise<string>;
    registerGrantType(name: string, handler: (ctx: Loose) => Promise<void>, parameters?: string | string[] | Set<string>, allowedDuplicateParameters?: string | string[] | Set<string>): void;
    on(event: string, listener: (...args: Loose[]) => void): this;
  }

  export const errors: Record<string, new (description?: string, detail?: string) => Error & { status: number; error: string }>;
}
