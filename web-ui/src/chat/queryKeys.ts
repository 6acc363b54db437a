// Query keys the chat shares with the pages that show what it changes.

/**
 * The signed-in streamer's banned users (GET /channel/bans): a ban from any
 * moderator chat invalidates it, so the stream manager's list shows the
 * user at once (its polling is only for bans made elsewhere).
 */
export const BANNED_USERS_KEY = ['bannedUsers'] as const;
