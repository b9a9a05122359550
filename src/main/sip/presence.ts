import type { Availability, PresenceState } from '../../shared/primitives';

/**
 * Who can take a call now, from what the proxy reports: a REGISTER it
 * saved (extension, contact, the connection it came over, its lifetime),
 * a WebSocket or TCP connection that closed, and the calls in progress (the
 * call tracker). `available`: a registered phone and no call; `on_call`: in
 * an answered call; `offline`: no registered phone. Kept in memory: a
 * restarted proxy has lost its registrations too, and every phone
 * registers again.
 */
export interface PresenceOptions {
  now: () => number;
  /** User ids in an answered call right now. */
  busy: () => ReadonlySet<number>;
  /** Something changed; coalesced so a burst of registrations is one notice. */
  onChange?: (() => void) | undefined;
  coalesceMs?: number;
}

interface Binding {
  until: number;
  /** "ws:127.0.0.1:40312": the connection the phone registered over. */
  connection: string;
  /** The joined desktop whose credentials registered it, if any. */
  deviceId: number | null;
}

/** Registrations a client may ask for are bounded by the proxy (registrar min/max_expires). */
const MIN_EXPIRES_S = 30;
const MAX_EXPIRES_S = 3600;
const MAX_EXTENSIONS = 10_000;
/** As the proxy's registrar max_contacts. */
const MAX_CONTACTS_PER_EXTENSION = 5;

export class Presence {
  /** extension → contact URI → binding. */
  private phones = new Map<string, Map<string, Binding>>();
  /**
   * user id → what they set when it is not Available. Kept with the
   * registrations: the app sets it again when its phone starts, so a
   * restarted service knows it as soon as the phone is back.
   */
  private availability = new Map<number, Exclude<Availability, 'available'>>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly o: PresenceOptions) {}

  /** A REGISTER the proxy saved; `contact` "*" with 0 removes every phone of the extension. */
  registered(
    extension: string,
    contact: string,
    connection: string,
    expiresS: number,
    deviceId: number | null = null,
  ): void {
    let mine = this.phones.get(extension);
    if (expiresS <= 0) {
      if (contact === '*') mine?.clear();
      else mine?.delete(contact);
    } else {
      if (!mine) {
        if (this.phones.size >= MAX_EXTENSIONS) return;
        mine = new Map();
        this.phones.set(extension, mine);
      }
      if (!mine.has(contact) && mine.size >= MAX_CONTACTS_PER_EXTENSION) return;
      const secs = Math.min(MAX_EXPIRES_S, Math.max(MIN_EXPIRES_S, expiresS));
      mine.set(contact, { until: this.o.now() + secs * 1000, connection, deviceId });
    }
    if (mine && mine.size === 0) this.phones.delete(extension);
    this.changed();
  }

  /** A WebSocket (or TCP connection) closed: the phones registered over it are gone. */
  closed(connection: string): void {
    let any = false;
    for (const [ext, mine] of this.phones) {
      for (const [contact, b] of mine) {
        if (b.connection === connection) {
          mine.delete(contact);
          any = true;
        }
      }
      if (mine.size === 0) this.phones.delete(ext);
    }
    if (any) this.changed();
  }

  /** The contacts registered for the extension: all, or those of one joined desktop. */
  contactsOf(extension: string, deviceId?: number): string[] {
    const mine = this.phones.get(extension);
    if (!mine) return [];
    return [...mine].filter(([, b]) => deviceId === undefined || b.deviceId === deviceId).map(([c]) => c);
  }

  /** These contacts were removed from the proxy's registrations (access withdrawn). */
  removed(extension: string, contacts: readonly string[]): void {
    const mine = this.phones.get(extension);
    if (!mine) return;
    for (const c of contacts) mine.delete(c);
    if (mine.size === 0) this.phones.delete(extension);
    this.changed();
  }

  /** The proxy restarted: its registrations are gone until the phones register again. */
  reset(): void {
    if (this.phones.size === 0) return;
    this.phones.clear();
    this.changed();
  }

  isRegistered(extension: string): boolean {
    const mine = this.phones.get(extension);
    if (!mine) return false;
    const now = this.o.now();
    for (const b of mine.values()) if (b.until > now) return true;
    return false;
  }

  setAvailability(userId: number, availability: Availability): void {
    if (this.availabilityOf(userId) === availability) return;
    if (availability === 'available') this.availability.delete(userId);
    else if (this.availability.size < MAX_EXTENSIONS || this.availability.has(userId))
      this.availability.set(userId, availability);
    else return;
    this.changed();
  }

  availabilityOf(userId: number): Availability {
    return this.availability.get(userId) ?? 'available';
  }

  /** Whether inbound routing passes this member's phone by. */
  doNotDisturb(userId: number): boolean {
    return this.availability.get(userId) === 'dnd';
  }

  /**
   * Presence as of now, for many members at once (who is on a call is worked
   * out once): Do not disturb whenever they set it and are reachable at all
   * (it is what teammates must respect before ringing or transferring), else
   * on a call, else no phone (offline), else what they set.
   */
  snapshot(): (userId: number, extension: string) => PresenceState {
    const busy = this.o.busy();
    return (userId, extension) => {
      const onCall = busy.has(userId);
      if (!onCall && !this.isRegistered(extension)) return 'offline';
      if (this.doNotDisturb(userId)) return 'dnd';
      return onCall ? 'on_call' : this.availabilityOf(userId);
    };
  }

  changed(): void {
    if (!this.o.onChange || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.o.onChange?.();
    }, this.o.coalesceMs ?? 150);
    this.timer.unref();
  }
}
