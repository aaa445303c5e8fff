/** Socket.IO namespaces, one per module (PROTOCOL.md). */
export const Namespace = {
  Chat: '/chat',
  Orders: '/orders',
  Disputes: '/disputes',
  Notifications: '/notifications',
  Presence: '/presence',
} as const;

/** Events the server emits that are not tied to one module. */
export const ServerEvent = {
  Error: 'error',
} as const;

/** Client → server events, declared once and used by gateways and tests alike. */
export const ClientEvent = {
  WhoAmI: 'whoami',
} as const;

/** What `connect_error` carries when the handshake is refused. */
export interface ConnectErrorData {
  code: string;
  /** RATE_LIMITED: when a new connection may succeed (kept flat for earlier clients). */
  retryAfterMs?: number;
  /** RATE_LIMITED: the contract's `details`, as in acks and REST errors. */
  details?: { retryAfterMs: number };
}

/** Rooms of a namespace: every socket of a user, and every socket joined to a chat. */
export const Room = {
  user: (userId: string): string => `user:${userId}`,
  chat: (chatId: string): string => `chat:${chatId}`,
  /** /presence: sockets that subscribed to a user's status. */
  watch: (userId: string): string => `watch:${userId}`,
};

/** /chat client → server events. */
export const ChatClientEvent = {
  CreateChat: 'createChat',
  GetMyChats: 'getMyChats',
  JoinChat: 'joinChat',
  LeaveChat: 'leaveChat',
  SendMessage: 'sendMessage',
  ReadMessages: 'readMessages',
  GetMessages: 'getMessages',
  GetActiveUsers: 'getActiveUsers',
  EditMessage: 'editMessage',
  DeleteMessage: 'deleteMessage',
  AddReaction: 'addReaction',
  RemoveReaction: 'removeReaction',
  Typing: 'typing',
  SetChatStatus: 'setChatStatus',
  DeleteChat: 'deleteChat',
} as const;

/** /chat server → client events. */
export const ChatServerEvent = {
  NewMessage: 'newMessage',
  MessagesRead: 'messagesRead',
  ParticipantUpdate: 'participantUpdate',
  ChatCreated: 'chatCreated',
  MessageUpdated: 'messageUpdated',
  MessageDeleted: 'messageDeleted',
  ReactionAdded: 'reactionAdded',
  ReactionRemoved: 'reactionRemoved',
  UserTyping: 'userTyping',
  ChatActivity: 'chatActivity',
  ChatStatusChanged: 'chatStatusChanged',
  ChatDeleted: 'chatDeleted',
} as const;

/** /orders and /disputes: the chat handlers of /chat, keyed by orderId or disputeId. */
export const LinkedChatClientEvent = {
  JoinChat: ChatClientEvent.JoinChat,
  LeaveChat: ChatClientEvent.LeaveChat,
  SendMessage: ChatClientEvent.SendMessage,
  ReadMessages: ChatClientEvent.ReadMessages,
  Typing: ChatClientEvent.Typing,
  GetMessages: ChatClientEvent.GetMessages,
} as const;

/** /orders server → client events besides the chat events. */
export const OrderServerEvent = {
  OrderStatusChanged: 'orderStatusChanged',
} as const;

/** /disputes server → client events besides the chat events. */
export const DisputeServerEvent = {
  DisputeStatusChanged: 'disputeStatusChanged',
} as const;

/** /presence client → server events. */
export const PresenceClientEvent = {
  UpdateStatus: 'updateStatus',
  GetUser: 'getUser',
  GetOnlineUsers: 'getOnlineUsers',
  Subscribe: 'subscribe',
} as const;

/** /presence server → client events. */
export const PresenceServerEvent = {
  UserStatus: 'userStatus',
} as const;

/** /notifications client → server events. */
export const NotificationClientEvent = {
  Subscribe: 'subscribe',
  List: 'list',
  GetUnreadCount: 'getUnreadCount',
  MarkRead: 'markRead',
  MarkAllRead: 'markAllRead',
} as const;

/** /notifications server → client events. */
export const NotificationServerEvent = {
  NewNotification: 'newNotification',
  UnreadCount: 'unreadCount',
} as const;
