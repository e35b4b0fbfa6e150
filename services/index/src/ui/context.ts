// What every UI page knows about its request: the session (if signed in) and the principal the
// shared logic functions take, the CSRF token its forms carry, and a one-shot notice.
import type { Response } from 'express';
import type { User } from '../db/users.js';
import { anonymous, type Principal } from '../permissions/grant.js';
import { IndexError } from '../http/errors.js';
import { isSiteAdmin } from '../repositories/actor.js';
import type { Session } from './session.js';

export interface Notice {
  kind: 'ok' | 'error';
  text: string;
  /** A one-shot secret for the page after a redirect, sealed for this session (sealed.ts). */
  sealed?: string;
  /** A refused form's input, so the page shows it again instead of an empty form. */
  form?: KeptForm;
}

/** What was typed into a refused form (never passwords or the CSRF token), by field name. */
export interface KeptForm {
  /** The path the form posted to, so only that form on the page is filled in. */
  action: string;
  fields: Record<string, string>;
}

export interface UiContext {
  session?: Session;
  principal: Principal;
  csrf: string;
  notice?: Notice;
  /** The request's path and query, for "log in and come back". */
  here: string;
}

export function contextOf(res: Response): UiContext {
  return (res.locals.ui as UiContext | undefined) ?? { principal: anonymous, csrf: '', here: '/' };
}

/** The signed-in user, or UNAUTHORIZED (rendered as a link to the login page). */
export function signedInUser(res: Response): User {
  const { session } = contextOf(res);
  if (!session) throw new IndexError('UNAUTHORIZED', { message: 'sign in first' });
  return session.user;
}

/** A site admin's account, or DENIED. */
export function siteAdmin(res: Response): User {
  const user = signedInUser(res);
  if (!isSiteAdmin(contextOf(res).principal)) throw new IndexError('DENIED', { message: 'site admins only' });
  return user;
}

/** What the user typed into field `name` of the form posting to `action`, if it was just refused. */
export function keptValue(ctx: UiContext, action: string, name: string): string | undefined {
  const form = ctx.notice?.form;
  return form?.action === action ? form.fields[name] : undefined;
}
