// Backend decorator: gives each Docker connection handler its forwarding (helpers are removed with the connection).
import type { DockerEngine } from '../backend/docker/index.js';
import type { Backend, ConnectionContext, ConnectionHandler } from '../core/contracts.js';
import { AgentSession, isPreparable } from './agent-session.js';
import { ContainerForwarding } from './container-forwarding.js';
import { dockerHelperEngine } from './helper-engine.js';

/** What the Docker backend's connection handler exposes for forwarding. */
export interface ForwardingTargets {
  readonly engine: DockerEngine;
  /** The container forwarding reaches now, if any. */
  forwardingTarget(): string | undefined;
}

function hasTargets(handler: ConnectionHandler): handler is ConnectionHandler & ForwardingTargets {
  return typeof (handler as Partial<ForwardingTargets>).forwardingTarget === 'function' && (handler as Partial<ForwardingTargets>).engine !== undefined;
}

/** The handler with `forwarding` set; its close() and shutdown() also end forwarded connections and remove helpers. */
export function forwardingFor(handler: ConnectionHandler & ForwardingTargets, ctx: ConnectionContext): ConnectionHandler {
  const { docker: dockerConfig } = ctx.config;
  const forwarding = new ContainerForwarding({
    engine: dockerHelperEngine({
      engine: handler.engine, execution: dockerConfig.execution, timeouts: dockerConfig.timeouts, logger: ctx.logger, onEvent: ctx.onEvent,
    }),
    target: () => handler.forwardingTarget(),
    image: dockerConfig.forwarding.image,
    node: dockerConfig.forwarding.nodePath,
    setupMs: dockerConfig.timeouts.commandStart,
    logger: ctx.logger,
  });
  return {
    openSession: async (info) => {
      const session = await handler.openSession(info);
      if (!isPreparable(session)) return session;
      return new AgentSession(session, (id, signal) => forwarding.listenAgent(id, signal), ctx.logger.child({ channelId: info.channelId }));
    },
    // Helpers end with their target's main process anyway; removing them alongside never delays the target.
    shutdown: async (deadlineSignal) => {
      await Promise.all([handler.shutdown(deadlineSignal), forwarding.close()]);
    },
    close: async () => {
      await Promise.all([handler.close(), forwarding.close()]);
    },
    forwarding,
  };
}

/** Wraps the Docker backend so every connection handler it returns can forward (see ContainerForwarding). */
export function withForwarding(backend: Backend): Backend {
  return {
    connect: async (ctx, signal) => {
      const handler = await backend.connect(ctx, signal);
      return hasTargets(handler) ? forwardingFor(handler, ctx) : handler;
    },
  };
}
