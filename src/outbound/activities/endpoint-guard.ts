export interface EndpointGuardOptions {
  /** Requests in flight to one endpoint from this worker. */
  maxInFlight: number;
  /**
   * Requests in flight to all the endpoints of one group (a project) from this worker, when set: so that one
   * project's hanging webhooks hold a bounded share of the worker's activity slots, and never another
   * project's; only that project's other webhooks may wait behind them.
   */
  maxInFlightPerGroup?: number;
  /** Consecutive failed attempts that open the circuit. */
  failureThreshold: number;
  /** How long an open circuit pauses the endpoint's deliveries. */
  cooldownMs: number;
  /**
   * How long an attempt that finds its endpoint full may wait in the worker for a place (when no delivery is
   * in line), before it is refused: a full moment of a fast endpoint costs no round trip through Temporal.
   */
  lingerMs?: number;
  /**
   * How many deliveries may wait in one endpoint's line (default 1,000): past that a refused delivery waits on
   * its own timer instead, so that a line costs this worker bounded memory whatever its backlog.
   */
  maxWaiting?: number;
  /**
   * An endpoint with nothing in flight, in line or open is forgotten after this long without an attempt
   * (default: the cool-down), failures counted and all: the guard holds as many endpoints as are active.
   */
  idleForgetMs?: number;
}

/** Tells a waiting delivery's workflow that a place is kept for it (a Temporal signal); rejects if it is gone. */
export type Wake = (workflowId: string) => Promise<void>;

/** How long a place stays kept for a woken workflow whose attempt has not come. */
const KEEP_PLACE_MS = 10_000;

/**
 * Why an attempt may not go now: `untilMs` when the wait has a known end (an open circuit); `queued` when
 * the delivery's workflow will be woken (`wake`) as soon as a place is kept for it.
 */
export interface Refusal {
  reason: string;
  untilMs?: number;
  queued?: boolean;
  /** Refused by the circuit breaker (open, or half-open while another attempt probes), not by a full endpoint. */
  circuit?: boolean;
}

export interface Permit {
  /** Gives the place back and counts the attempt's outcome for the circuit (none when no request was made). */
  release(outcome: 'success' | 'failure' | 'none', now: number): void;
}

interface EndpointState {
  inFlight: number;
  /** Workflows waiting for a place, first come first served, and places kept for those woken. */
  waiting: string[];
  kept: Map<string, number>;
  /** Attempts waiting in the worker for a place, for at most `lingerMs`; they go before the line. */
  lingering: ((granted: boolean) => void)[];
  consecutiveFailures: number;
  openUntil?: number;
  /** After a cooldown one attempt probes the endpoint; the others wait for its outcome. */
  probing: boolean;
  /** When an attempt last entered or left (this worker's clock), for forgetting idle endpoints. */
  touchedAt: number;
  /** The group (project) it belongs to, when its attempts say. */
  group?: GroupState;
  /**
   * Deliveries its circuit refused, with when their pause ends (for the metrics' count of paused deliveries): an
   * entry goes when its delivery comes back, or once its pause is over (it may come back on another worker).
   */
  paused: Map<string, number>;
}

/** A group's places taken (in flight, and kept for woken deliveries), and its endpoints with a line. */
interface GroupState {
  inFlight: number;
  kept: number;
  lines: Map<string, EndpointState>;
}

const DEFAULT_MAX_WAITING = 1_000;

/**
 * Endpoint protection, in the worker's memory so that it costs no database round trip:
 * - a concurrency limit: at most `maxInFlight` requests to one endpoint at a time from this worker (so a
 *   slow endpoint holds at most that many of the worker's activity slots);
 * - a circuit breaker: after `failureThreshold` consecutive failed attempts the endpoint is paused for
 *   `cooldownMs`; then one attempt probes it, and its outcome closes the circuit or opens it again.
 * A refused attempt makes no request. A delivery refused by a full endpoint joins its line, and its workflow
 * is signalled when a place is kept for it (its timer is only a safety net); one refused by an open circuit
 * waits on a durable timer until the circuit may close. Either way it holds no worker slot while it waits.
 * Times are on the Temporal server's clock (the attempt's scheduled time), the one the workflow's timers use.
 */
export function createEndpointGuard(opts: EndpointGuardOptions & { wake?: Wake }) {
  const states = new Map<string, EndpointState>();
  const groups = new Map<string, GroupState>();
  const groupOf = (id: string) => {
    let g = groups.get(id);
    if (!g) {
      g = { inFlight: 0, kept: 0, lines: new Map() };
      groups.set(id, g);
    }
    return g;
  };
  const groupFull = (s: EndpointState) =>
    s.group !== undefined &&
    opts.maxInFlightPerGroup !== undefined &&
    s.group.inFlight + s.group.kept >= opts.maxInFlightPerGroup;

  const maxWaiting = opts.maxWaiting ?? DEFAULT_MAX_WAITING;
  /** The latest `now` an attempt gave (the Temporal server's clock), for `stats`. */
  let latestNow = 0;
  const idleForgetMs = opts.idleForgetMs ?? opts.cooldownMs;
  let sweptAt = Date.now();
  const stateOf = (endpoint: string) => {
    let s = states.get(endpoint);
    if (!s) {
      s = {
        inFlight: 0,
        waiting: [],
        kept: new Map(),
        lingering: [],
        consecutiveFailures: 0,
        probing: false,
        touchedAt: Date.now(),
        paused: new Map(),
      };
      states.set(endpoint, s);
    }
    s.touchedAt = Date.now();
    return s;
  };
  // An endpoint whose last attempts failed is remembered (its count, its circuit) only while it is in use: once
  // nothing of it is in flight or in line and its circuit is not open, it is forgotten after `idleForgetMs`
  // without an attempt. Checked at most once per `idleForgetMs`, on the way in, so it costs no timer.
  const sweepIdle = () => {
    const now = Date.now();
    if (now - sweptAt < idleForgetMs) return;
    sweptAt = now;
    for (const [endpoint, s] of states) {
      const quiet = s.inFlight === 0 && !s.probing && !s.waiting.length && !s.kept.size && !s.lingering.length;
      const closed = s.openUntil === undefined || s.openUntil <= now;
      if (quiet && closed && now - s.touchedAt >= idleForgetMs) states.delete(endpoint);
    }
    // A group with nothing taken and no line is forgotten too; an endpoint still pointing at it takes its
    // group afresh at its next attempt (enter).
    for (const [id, g] of groups) if (g.inFlight === 0 && g.kept === 0 && g.lines.size === 0) groups.delete(id);
  };
  // Forget endpoints that are idle and healthy, so that the map stays as small as the traffic.
  const forgetIfIdle = (endpoint: string, s: EndpointState) => {
    if (
      s.inFlight === 0 &&
      !s.consecutiveFailures &&
      !s.probing &&
      !s.waiting.length &&
      !s.kept.size &&
      !s.lingering.length
    ) {
      states.delete(endpoint);
    }
  };
  // A place kept for a woken workflow whose attempt has not come (it went to another worker, or ended) is
  // given back after a while.
  const dropStaleKept = (s: EndpointState) => {
    const now = Date.now();
    for (const [id, until] of s.kept) if (until < now) unkeep(s, id);
  };
  /** A kept place is taken, given back or dropped: the group's count follows. */
  function unkeep(s: EndpointState, id: string): boolean {
    if (!s.kept.delete(id)) return false;
    if (s.group) s.group.kept--;
    return true;
  }
  // A delivery that got in another way is no longer waiting: no place is to be kept for it.
  const leaveLine = (endpoint: string, s: EndpointState, waiter: string | undefined) => {
    const at = waiter === undefined ? -1 : s.waiting.indexOf(waiter);
    if (at >= 0) s.waiting.splice(at, 1);
    if (!s.waiting.length) s.group?.lines.delete(endpoint);
  };
  /** A place taken: the endpoint's and its group's. */
  const take = (s: EndpointState) => {
    s.inFlight++;
    if (s.group) s.group.inFlight++;
  };
  const busy = (s: EndpointState) => s.inFlight + s.kept.size >= opts.maxInFlight;

  /** Waits up to `lingerMs` for a place handed over by a release (which counts it in flight). */
  function linger(s: EndpointState): Promise<boolean> {
    return new Promise((resolve) => {
      const granted = (g: boolean) => {
        clearTimeout(timer);
        resolve(g);
      };
      const timer = setTimeout(() => {
        s.lingering.splice(s.lingering.indexOf(granted), 1);
        resolve(false);
      }, opts.lingerMs);
      s.lingering.push(granted);
    });
  }

  function permitFor(endpoint: string, s: EndpointState, probe: boolean): Permit {
    if (probe) s.probing = true;
    let released = false;
    return {
      release(outcome, at) {
        if (released) return;
        released = true;
        s.touchedAt = Date.now();
        s.inFlight--;
        if (s.group) s.group.inFlight--;
        if (probe) s.probing = false;
        if (outcome === 'success') {
          s.consecutiveFailures = 0;
          s.openUntil = undefined;
          // Closed: what it paused goes now (on whichever worker it comes back).
          s.paused.clear();
        } else if (outcome === 'failure') {
          s.consecutiveFailures++;
          if (probe || s.consecutiveFailures >= opts.failureThreshold) s.openUntil = at + opts.cooldownMs;
        }
        handOut(endpoint, s);
        // A place of the group freed: an endpoint of the group whose line waits for one may go on.
        if (s.group) for (const [other, o] of s.group.lines) if (o !== s) handOut(other, o);
        forgetIfIdle(endpoint, s);
      },
    };
  }

  /** Gives each free place to an attempt waiting in the worker, else keeps it for the next in line and wakes it. */
  function handOut(endpoint: string, s: EndpointState) {
    dropStaleKept(s);
    while (!busy(s) && !groupFull(s) && s.lingering.length && s.openUntil === undefined) {
      take(s);
      s.lingering.shift()!(true);
    }
    while (!busy(s) && !groupFull(s) && s.waiting.length && opts.wake && s.openUntil === undefined) {
      const id = s.waiting.shift()!;
      if (!s.waiting.length) s.group?.lines.delete(endpoint);
      s.kept.set(id, Date.now() + KEEP_PLACE_MS);
      if (s.group) s.group.kept++;
      // Should it not come for its place, the place goes on to the next in line.
      setTimeout(() => handOut(endpoint, s), KEEP_PLACE_MS + 1).unref();
      opts.wake(id).catch(() => {
        // It ended meanwhile (delivered elsewhere, terminated): the place goes to the next.
        unkeep(s, id);
        handOut(endpoint, s);
      });
    }
  }

  return {
    /**
     * A place for one request to `endpoint`, or why not now. With `waiter` (the delivery's workflow id) a
     * refused attempt joins the endpoint's line and its workflow is woken when a place is kept for it.
     */
    async enter(endpoint: string, now: number, waiter?: string, group?: string): Promise<Permit | Refusal> {
      sweepIdle();
      const s = stateOf(endpoint);
      if (group !== undefined && (s.group === undefined || (s.inFlight === 0 && s.kept.size === 0))) {
        s.group = groupOf(group);
      }
      latestNow = Math.max(latestNow, now);
      if (waiter !== undefined) s.paused.delete(waiter);
      if (s.openUntil !== undefined && s.openUntil > now) {
        if (waiter !== undefined) s.paused.set(waiter, s.openUntil);
        return { reason: `endpoint ${endpoint} is paused (circuit open)`, untilMs: s.openUntil, circuit: true };
      }
      const probe = s.openUntil !== undefined;
      if (probe && s.probing) {
        if (waiter !== undefined) s.paused.set(waiter, now + opts.cooldownMs);
        return { reason: `endpoint ${endpoint} is paused (circuit half-open, probing)`, circuit: true };
      }
      const kept = waiter !== undefined && unkeep(s, waiter);
      dropStaleKept(s);
      if (kept || (!busy(s) && !groupFull(s))) {
        take(s);
        leaveLine(endpoint, s, waiter);
        return permitFor(endpoint, s, probe);
      }
      if (!probe && s.waiting.length === 0 && s.lingering.length < opts.maxInFlight && (opts.lingerMs ?? 0) > 0) {
        if (await linger(s)) {
          leaveLine(endpoint, s, waiter);
          return permitFor(endpoint, s, false);
        }
      }
      const inLine = waiter !== undefined && s.waiting.includes(waiter);
      const queued = waiter !== undefined && opts.wake !== undefined && (inLine || s.waiting.length < maxWaiting);
      if (queued && !inLine) {
        s.waiting.push(waiter);
        s.group?.lines.set(endpoint, s);
      }
      const reason = busy(s)
        ? `endpoint ${endpoint} has too many requests in flight`
        : `the project of endpoint ${endpoint} has too many requests in flight`;
      return { reason, queued };
    },

    /**
     * For the metrics, read at scrape time: deliveries waiting in endpoints' lines, deliveries paused by an open
     * circuit (until they try again), and circuits open or half-open.
     */
    // By default, the latest time an attempt said (the Temporal server's clock), or this machine's if later: an
    // idle worker's pauses end too.
    stats(now = Math.max(latestNow, Date.now())) {
      let inLine = 0;
      let paused = 0;
      let open = 0;
      for (const s of states.values()) {
        inLine += s.waiting.length;
        for (const [waiter, until] of s.paused) {
          if (until > now) paused++;
          else s.paused.delete(waiter);
        }
        if (s.openUntil !== undefined && (s.openUntil > now || s.probing)) open++;
      }
      return { inLine, paused, open };
    },

    /** For tests and metrics: how many endpoints the guard remembers. */
    size: () => states.size,

    /** For tests and metrics: what the guard holds for an endpoint. */
    inspect(endpoint: string) {
      const s = states.get(endpoint);
      return {
        inFlight: s?.inFlight ?? 0,
        waiting: s?.waiting.length ?? 0,
        consecutiveFailures: s?.consecutiveFailures ?? 0,
        openUntil: s?.openUntil,
      };
    },
  };
}

export const isRefusal = (r: Permit | Refusal): r is Refusal => 'reason' in r;

export type EndpointGuard = ReturnType<typeof createEndpointGuard>;
