import type { Method, Output, ParsedInput } from '../../../shared/api/contract';
import type { AuthedCtx, Ctx } from './context';

export type PublicMethod = 'auth.signIn' | 'auth.demoUsers' | 'invitations.inspect' | 'invitations.redeem';

export type Handler<M extends Method> = (
  ctx: M extends PublicMethod ? Ctx : AuthedCtx,
  input: ParsedInput<M>,
) => Output<M>;

/** A group of handlers, keyed by method; `handlers/index.ts` checks every method has one. */
export type Handlers<P extends string> = { [M in Method as M extends P | `${P}.${string}` ? M : never]: Handler<M> };

/** A method's asynchronous part, run outside any transaction; its result reaches the handler as `ctx.prepared`. */
export type Preparer<M extends Method> = (
  ctx: M extends PublicMethod ? Ctx : AuthedCtx,
  input: ParsedInput<M>,
) => Promise<unknown>;
