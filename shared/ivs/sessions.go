package ivs

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkivs "github.com/aws/aws-sdk-go-v2/service/ivs"
	"github.com/aws/aws-sdk-go-v2/service/ivs/types"

	"github.com/onair/onair/shared/awserr"
	"github.com/onair/onair/shared/onair"
)

// ingestConfiguration is the JSON shape of a session's encoder configuration
// that onair stores and returns (the reference's shape; streams reads it).
type ingestConfiguration struct {
	Audio audioConfiguration `json:"audio"`
	Video videoConfiguration `json:"video"`
}

type videoConfiguration struct {
	AvcLevel        string `json:"avcLevel,omitempty"`
	AvcProfile      string `json:"avcProfile,omitempty"`
	Codec           string `json:"codec,omitempty"`
	Encoder         string `json:"encoder,omitempty"`
	TargetBitrate   int64  `json:"targetBitrate"`
	TargetFramerate int64  `json:"targetFramerate"`
	VideoHeight     int64  `json:"videoHeight"`
	VideoWidth      int64  `json:"videoWidth"`
}

type audioConfiguration struct {
	Channels      int64  `json:"channels"`
	Codec         string `json:"codec,omitempty"`
	SampleRate    int64  `json:"sampleRate"`
	TargetBitrate int64  `json:"targetBitrate"`
}

// GetIngestConfiguration returns the encoder configuration of a stream
// session (IVS GetStreamSession) as JSON:
// {"audio":{channels,codec,sampleRate,targetBitrate},
// "video":{avcLevel,avcProfile,codec,encoder,targetBitrate,targetFramerate,videoHeight,videoWidth}}.
// It is onair.ErrNotFound until IVS knows both the audio and the video
// configuration. For multitrack input, the first (highest) track is used.
func (c *Client) GetIngestConfiguration(ctx context.Context, channelArn, streamID string) (json.RawMessage, error) {
	out, err := c.api.GetStreamSession(ctx, &sdkivs.GetStreamSessionInput{
		ChannelArn: aws.String(channelArn),
		StreamId:   aws.String(streamID),
	})
	if err != nil {
		return nil, awserr.Map("ivs:GetStreamSession", err)
	}
	if out.StreamSession == nil {
		return nil, onair.ErrNotFound
	}
	video, audio := sessionTracks(out.StreamSession)
	if video == nil || audio == nil {
		return nil, onair.ErrNotFound
	}
	return json.Marshal(ingestConfiguration{
		Video: videoConfiguration{
			AvcLevel:        aws.ToString(video.AvcLevel),
			AvcProfile:      aws.ToString(video.AvcProfile),
			Codec:           aws.ToString(video.Codec),
			Encoder:         aws.ToString(video.Encoder),
			TargetBitrate:   video.TargetBitrate,
			TargetFramerate: video.TargetFramerate,
			VideoHeight:     video.VideoHeight,
			VideoWidth:      video.VideoWidth,
		},
		Audio: audioConfiguration{
			Channels:      audio.Channels,
			Codec:         aws.ToString(audio.Codec),
			SampleRate:    audio.SampleRate,
			TargetBitrate: audio.TargetBitrate,
		},
	})
}

// sessionTracks picks the video and audio configuration of a session: the
// (deprecated, single-track) ingestConfiguration when present, else the first
// tracks of ingestConfigurations.
func sessionTracks(s *types.StreamSession) (*types.VideoConfiguration, *types.AudioConfiguration) {
	var video *types.VideoConfiguration
	var audio *types.AudioConfiguration
	if ic := s.IngestConfiguration; ic != nil {
		video, audio = ic.Video, ic.Audio
	}
	if ics := s.IngestConfigurations; ics != nil {
		if video == nil && len(ics.VideoConfigurations) > 0 {
			video = &ics.VideoConfigurations[0]
		}
		if audio == nil && len(ics.AudioConfigurations) > 0 {
			audio = &ics.AudioConfigurations[0]
		}
	}
	return video, audio
}
