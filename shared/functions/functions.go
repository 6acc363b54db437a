// Package functions lists every function of template.yaml, each built by the
// package of the same name (lower case) below this one. The offline stack
// and the tests build them all from here; a Lambda binary imports only its
// own package (functions/<Name>/main.go), so it links only what its
// function uses.
//
// make new-function regenerates this file (local/internal/scaffold).
package functions

import (
	"github.com/onair/onair/shared/app"
	"github.com/onair/onair/shared/functions/banuser"
	"github.com/onair/onair/shared/functions/chatreview"
	"github.com/onair/onair/shared/functions/cleanupstages"
	"github.com/onair/onair/shared/functions/cleanupunconfirmedusers"
	"github.com/onair/onair/shared/functions/createassetupload"
	"github.com/onair/onair/shared/functions/createchannelresources"
	"github.com/onair/onair/shared/functions/createchattoken"
	"github.com/onair/onair/shared/functions/createstage"
	"github.com/onair/onair/shared/functions/createstagetoken"
	"github.com/onair/onair/shared/functions/custommessage"
	"github.com/onair/onair/shared/functions/deleteasset"
	"github.com/onair/onair/shared/functions/deletechannel"
	"github.com/onair/onair/shared/functions/deletestage"
	"github.com/onair/onair/shared/functions/disconnectstageparticipant"
	"github.com/onair/onair/shared/functions/followchannel"
	"github.com/onair/onair/shared/functions/getactivestreamaction"
	"github.com/onair/onair/shared/functions/getchannel"
	"github.com/onair/onair/shared/functions/getchannelpage"
	"github.com/onair/onair/shared/functions/getfollowinglist"
	"github.com/onair/onair/shared/functions/getstage"
	"github.com/onair/onair/shared/functions/getstreamactionpresets"
	"github.com/onair/onair/shared/functions/getstreamsession"
	"github.com/onair/onair/shared/functions/invitetostage"
	"github.com/onair/onair/shared/functions/listbannedusers"
	"github.com/onair/onair/shared/functions/listchannels"
	"github.com/onair/onair/shared/functions/liststages"
	"github.com/onair/onair/shared/functions/liststreamsessions"
	"github.com/onair/onair/shared/functions/postconfirmation"
	"github.com/onair/onair/shared/functions/preauthentication"
	"github.com/onair/onair/shared/functions/presignup"
	"github.com/onair/onair/shared/functions/putstreamactionpresets"
	"github.com/onair/onair/shared/functions/resetstreamkey"
	"github.com/onair/onair/shared/functions/revokestageinvite"
	"github.com/onair/onair/shared/functions/searchproducts"
	"github.com/onair/onair/shared/functions/sendstreamaction"
	"github.com/onair/onair/shared/functions/setupchatrooms"
	"github.com/onair/onair/shared/functions/stageevents"
	"github.com/onair/onair/shared/functions/streamevents"
	"github.com/onair/onair/shared/functions/unbanuser"
	"github.com/onair/onair/shared/functions/unfollowchannel"
	"github.com/onair/onair/shared/functions/updateassetversion"
	"github.com/onair/onair/shared/functions/updatepreferences"
	"github.com/onair/onair/shared/functions/updateusername"
)

// All returns every function.
func All() []app.Function {
	return []app.Function{
		banuser.Function(),
		chatreview.Function(),
		cleanupstages.Function(),
		cleanupunconfirmedusers.Function(),
		createassetupload.Function(),
		createchannelresources.Function(),
		createchattoken.Function(),
		createstage.Function(),
		createstagetoken.Function(),
		custommessage.Function(),
		deleteasset.Function(),
		deletechannel.Function(),
		deletestage.Function(),
		disconnectstageparticipant.Function(),
		followchannel.Function(),
		getactivestreamaction.Function(),
		getchannel.Function(),
		getchannelpage.Function(),
		getfollowinglist.Function(),
		getstage.Function(),
		getstreamactionpresets.Function(),
		getstreamsession.Function(),
		invitetostage.Function(),
		listbannedusers.Function(),
		listchannels.Function(),
		liststages.Function(),
		liststreamsessions.Function(),
		postconfirmation.Function(),
		preauthentication.Function(),
		presignup.Function(),
		putstreamactionpresets.Function(),
		resetstreamkey.Function(),
		revokestageinvite.Function(),
		searchproducts.Function(),
		sendstreamaction.Function(),
		setupchatrooms.Function(),
		stageevents.Function(),
		streamevents.Function(),
		unbanuser.Function(),
		unfollowchannel.Function(),
		updateassetversion.Function(),
		updatepreferences.Function(),
		updateusername.Function(),
	}
}

// ByName returns every function by logical id.
func ByName() map[string]app.Function {
	m := map[string]app.Function{}
	for _, f := range All() {
		m[f.Name] = f
	}
	return m
}
