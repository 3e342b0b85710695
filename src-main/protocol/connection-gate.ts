// Counts the connections a listener holds that have not authenticated yet (TCP accepted, TLS,
// upgrade or handshake under way), in total and per remote address, and refuses more than the
// limits: a stranger, or a crowd of them, cannot pin a party's sockets and memory by opening
// connections and never finishing their handshake.
export interface ConnectionLimits {
  /** Connections waiting to authenticate, from every address together. */
  maxWaiting: number;
  /** Connections waiting to authenticate from one address. */
  maxWaitingPerAddress: number;
}

export type GateVerdict = { ok: true; leave: () => void } | { ok: false; reason: string; perAddress: boolean };

export class ConnectionGate {
  private waiting = 0;
  private readonly byAddress = new Map<string, number>();

  constructor(readonly limits: ConnectionLimits) {
    for (const [name, value] of Object.entries(limits)) {
      if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, not ${value}`);
    }
  }

  /** Lets a connection in if the limits allow; `leave` (idempotent) when it authenticated or closed. */
  enter(address: string): GateVerdict {
    const fromAddress = this.byAddress.get(address) ?? 0;
    if (fromAddress >= this.limits.maxWaitingPerAddress) {
      return { ok: false, perAddress: true, reason: `too many connections from this address still in their handshake (at most ${this.limits.maxWaitingPerAddress})` };
    }
    if (this.waiting >= this.limits.maxWaiting) {
      return { ok: false, perAddress: false, reason: `too many connections still in their handshake (at most ${this.limits.maxWaiting} from all addresses)` };
    }
    this.waiting += 1;
    this.byAddress.set(address, fromAddress + 1);
    let left = false;
    return {
      ok: true,
      leave: () => {
        if (left) return;
        left = true;
        this.waiting -= 1;
        const remaining = (this.byAddress.get(address) ?? 1) - 1;
        if (remaining <= 0) this.byAddress.delete(address);
        else this.byAddress.set(address, remaining);
      },
    };
  }

  /** Connections waiting now: from one address, or from all. */
  count(address?: string): number {
    return address === undefined ? this.waiting : (this.byAddress.get(address) ?? 0);
  }
}
