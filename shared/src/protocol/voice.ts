// The phone line (docs/voice.md): what the console's softphone is given, and a call's state and times.

/** A staff member's softphone: where it registers and with what (short-lived credentials). */
export type SoftphoneConfig =
  | { enabled: false }
  | {
      enabled: true;
      /** The SIP proxy's WebSocket (wss:// in production). */
      wsUrl: string;
      /** The softphone's SIP address: sip:staff-<id>@<domain>. */
      uri: string;
      /** `<expiry>:<user>`, checked by the proxy with the shared secret, no call to the platform. */
      authorizationUser: string;
      password: string;
      expiresAt: string;
    };

export type VoiceCallState = 'waiting' | 'connecting' | 'talking' | 'ended';

/** A phone conversation's call: GET /api/conversations/:id/call. */
export interface VoiceCallView {
  conversationId: string;
  state: VoiceCallState;
  onHold: boolean;
  waitedSeconds: number;
  talkedSeconds: number;
  heldSeconds: number;
}

/** The header the SIP proxy adds to the INVITE it sends a softphone: the conversation it is. */
export const CONVERSATION_SIP_HEADER = 'X-Helpline-Conversation';
