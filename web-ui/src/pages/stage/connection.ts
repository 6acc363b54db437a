// The stage pages' view of a stage connection. The page code never knows
// which client runs: connectStage adapts the StageClient of src/stage
// (offline WHIP/WHEP + presence, or the IVS Web Broadcast SDK in the cloud,
// chosen from the run-time configuration) to what the pages need.

import type { StageParticipant } from './participants';
import type { Refusal } from './refusals';
import type { StageTokenInfo } from './token';

export interface ConnectionHandlers {
  /** Every participant (the local one with isLocal), whenever anything changes. */
  onParticipants(list: StageParticipant[]): void;
  /** The stage ended for this participant: removed by the host, stage deleted, token refused. Final. */
  onEnded(r: Refusal): void;
  /** The connection was lost (network, server restart): the session rejoins. */
  onDropped(): void;
}

export interface StageConnection {
  publish(stream: MediaStream): Promise<void>;
  unpublish(): Promise<void>;
  /** A track of the published stream was replaced (device switch, screen share). */
  replaceTrack(track: MediaStreamTrack): Promise<void>;
  /** Tells the others about mute / camera off. */
  setState(s: { audioMuted: boolean; videoStopped: boolean }): void;
  /** Swaps the token without leaving, where the client can (IVS SDK's exchangeToken). */
  exchangeToken?(token: string): Promise<void>;
  close(): void;
}

export type ConnectFn = (token: string, info: StageTokenInfo, handlers: ConnectionHandlers) => Promise<StageConnection>;
