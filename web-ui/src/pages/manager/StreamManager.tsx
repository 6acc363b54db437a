// The stream manager (/manager, reference §11.7): the status bar, going
// live from the browser, overlays and the chat in moderator mode with the
// banned list. On small screens the reference's "Manage stream" / "Go live"
// tabs split the page.

import { useCallback, useState } from 'react';
import { useAuth } from '../../auth/AuthContext';
import { Chat } from '../../chat/Chat';
import { useConfig } from '../../services';
import { BannedUsers } from './BannedUsers';
import { BroadcastCard } from './BroadcastCard';
import { Overlays } from './Overlays';
import { StatusBar } from './StatusBar';
import { useStreamStatus } from './useStreamStatus';
import './manager.css';

type Tab = 'manage' | 'golive';

export default function StreamManager() {
  const { channel } = useAuth();
  const config = useConfig();
  const status = useStreamStatus(channel?.channelResourceId);
  const [tab, setTab] = useState<Tab>('manage');
  const [broadcasting, setBroadcasting] = useState(false);
  const onLiveChange = useCallback((l: boolean) => setBroadcasting(l), []);
  if (!channel) return null;
  const live = status.live || broadcasting;
  // Offline the SDK posts its offer to the local media plane; in the cloud to the channel's IVS ingest.
  const ingestEndpoint = config.offline ? config.webrtcIngestEndpoint : channel.ingestEndpoint;
  const channelType = channel.channelConfiguration?.type ?? config.channelType;

  return (
    <main className="container manager">
      <div className="page-title">
        <h1>Stream manager</h1>
      </div>
      <StatusBar status={status} />
      <div className="tabs" role="tablist" aria-label="Stream manager sections">
        <button type="button" role="tab" id="tab-manage" aria-controls="panel-manage" aria-selected={tab === 'manage'} onClick={() => setTab('manage')}>
          Manage stream
        </button>
        <button type="button" role="tab" id="tab-golive" aria-controls="panel-golive" aria-selected={tab === 'golive'} onClick={() => setTab('golive')}>
          Go live
        </button>
      </div>
      <div className="manager-grid">
        <div className={`manager-manage ${tab === 'manage' ? 'tab-on' : ''}`} id="panel-manage" role="tabpanel" aria-labelledby="tab-manage">
          <Overlays live={live} />
          <div className="card manager-chat">
            <Chat ownerUsername={channel.username} moderator title="Chat" />
            <div className="card-pad">
              <BannedUsers />
            </div>
          </div>
        </div>
        <div className={`manager-golive ${tab === 'golive' ? 'tab-on' : ''}`} id="panel-golive" role="tabpanel" aria-labelledby="tab-golive">
          <BroadcastCard
            options={{ channelType, streamKey: channel.streamKeyValue, ingestEndpoint }}
            channelLive={status.live}
            onLiveChange={onLiveChange}
          />
        </div>
      </div>
    </main>
  );
}
