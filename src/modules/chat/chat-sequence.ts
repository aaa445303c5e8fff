import { Injectable } from '@nestjs/common';
import { KeyedQueue } from '../../common/concurrency/keyed-queue.js';

/**
 * Per chat, one change at a time on this node, each published before the next is made: sends,
 * SYSTEM messages, edits, reactions, status changes and deletion. What a chat's members are told
 * then follows the order of its commits (no newMessage after the chatStatusChanged of a close that
 * came later, no messageUpdated after the messageDeleted of the same message).
 */
@Injectable()
export class ChatSequence extends KeyedQueue {}
