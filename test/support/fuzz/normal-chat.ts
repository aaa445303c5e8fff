import type { MessageView } from '../../../src/modules/chat/chat.types.js';
import { ChatClientEvent, ChatServerEvent } from '../../../src/realtime/events.js';
import { ok, settle } from '../chat.js';
import type { TestApp } from '../create-test-app.js';
import { chatSocket, type TestClient } from '../factories.js';
import { emitAckWithin, type ClientSocket } from '../sockets.js';
import type { FuzzWorld } from './world.js';

/** Alice and Bob, joined to the fuzzed group, taking turns to write while the storm goes on. */
export class NormalChat {
  readonly sent: MessageView[] = [];
  readonly failures: string[] = [];
  /** What each of them received, by user id. */
  readonly received = new Map<string, MessageView[]>();
  private talking = false;
  private talk?: Promise<void>;

  private constructor(
    private readonly chatId: string,
    private readonly people: { user: TestClient; socket: ClientSocket }[],
  ) {
    for (const { user, socket } of people) {
      const inbox: MessageView[] = [];
      this.received.set(user.id, inbox);
      socket.on(ChatServerEvent.NewMessage, (m: MessageView) => inbox.push(m));
    }
  }

  static async join(t: TestApp, w: FuzzWorld): Promise<NormalChat> {
    const people = [];
    for (const user of [w.alice, w.bob]) {
      const socket = await chatSocket(t, user);
      await ok(socket, ChatClientEvent.JoinChat, { chatId: w.chatId });
      people.push({ user, socket });
    }
    return new NormalChat(w.chatId, people);
  }

  start(): void {
    this.talking = true;
    this.talk = (async () => {
      let i = 0;
      while (this.talking) await this.say((i += 1));
    })();
  }

  /** Stops talking, then says a few more things: the chat must work after the storm too. */
  async stop(after = 4): Promise<void> {
    this.talking = false;
    await this.talk;
    for (let i = 0; i < after; i += 1) await this.say(this.sent.length + this.failures.length + 1);
  }

  /** For each person: messages received, messages they should have received (from the other). */
  deliveries(): { userId: string; received: number[]; expected: number[] }[] {
    return this.people.map(({ user }) => ({
      userId: user.id,
      received: (this.received.get(user.id) ?? []).map((m) => m.seq),
      expected: this.sent.filter((m) => m.senderId !== user.id).map((m) => m.seq),
    }));
  }

  allDelivered(): boolean {
    return this.deliveries().every((d) => d.received.length >= d.expected.length);
  }

  private async say(i: number): Promise<void> {
    const { user, socket } = this.people[i % this.people.length];
    const text = `normal ${i} from ${user.name}`;
    try {
      // A bounded wait, generous because the storm shares the machine.
      const ack = await emitAckWithin<MessageView>(15_000, socket, ChatClientEvent.SendMessage, {
        chatId: this.chatId,
        text,
      });
      if (ack.ok) this.sent.push(ack.data!);
      else this.failures.push(`${text}: ${JSON.stringify(ack.error)}`);
    } catch (error) {
      this.failures.push(`${text}: ${String(error)}`);
    }
    await settle(25);
  }
}
