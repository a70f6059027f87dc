package tago

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNotificationsOperations(t *testing.T) {
	t.Parallel()
	created := time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC)
	accountOps(t, []opCase{
		{
			name: "list with defaults", method: "GET", path: "/notification/",
			query:  "page=1&amount=20&orderBy=created_at,desc",
			result: `[{"id":"` + resNotificationID + `","title":"Low battery","message":"Boiler at 5%","read":false,"created_at":"2024-03-04T05:06:07.000Z"}]`,
			run:    func(ctx context.Context, c *Client) (any, error) { return c.Notifications.List(ctx, nil) },
			want:   []Notification{{ID: resNotificationID, Title: "Low battery", Message: "Boiler at 5%", CreatedAt: created}},
		},
		{
			name: "list read ones", method: "GET", path: "/notification/",
			query:  "page=1&amount=100&filter[read]=true&orderBy=created_at,asc",
			result: `[]`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Notifications.List(ctx, &NotificationListOptions{Read: Ptr(true), ListOptions: ListOptions{Amount: 100, OrderBy: Asc("created_at")}})
			},
			want: []Notification{},
		},
		{
			name: "create", method: "POST", path: "/notification", status: http.StatusCreated,
			body: `{"title":"Low battery","message":"Boiler at 5%","buttons":[{"id":"ack","label":"Acknowledge",` +
				`"triggers":[{"analysis_id":"` + resAnalysisID + `","scope":[]}]}],"buttons_autodisable":true}`,
			result: `{"id":"` + resNotificationID + `"}`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return c.Notifications.Create(ctx, NotificationCreateRequest{Title: "Low battery", Message: "Boiler at 5%",
					Buttons: []NotificationButton{{ID: "ack", Label: "Acknowledge",
						Triggers: []json.RawMessage{json.RawMessage(`{"analysis_id":"` + resAnalysisID + `","scope":[]}`)}}},
					ButtonsAutodisable: Ptr(true)})
			},
			want: resNotificationID,
		},
		{
			name: "remove", method: "DELETE", path: "/notification/" + resNotificationID, result: `"Successfully Removed"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Notifications.Remove(ctx, resNotificationID))
			},
		},
		{
			name: "mark read", method: "PUT", path: "/notification/read",
			body: `{"notification_ids":["` + resNotificationID + `"],"read":true}`, result: `"1 notification marked as read"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Notifications.MarkRead(ctx, resNotificationID))
			},
		},
		{
			name: "mark unread", method: "PUT", path: "/notification/read",
			body: `{"notification_ids":["` + resNotificationID + `","` + resDataID + `"],"read":false}`, result: `"2 marked"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Notifications.MarkUnread(ctx, resNotificationID, resDataID))
			},
		},
		{
			name: "mark all read", method: "PUT", path: "/notification/markallread", result: `"All read"`,
			run: func(ctx context.Context, c *Client) (any, error) { return noResult(c.Notifications.MarkAllRead(ctx)) },
		},
		{
			name: "press a button", method: "PUT", path: "/notification/" + resNotificationID + "/ack", result: `"Done"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Notifications.PressButton(ctx, resNotificationID, "ack"))
			},
		},
		{
			name: "register a phone", method: "POST", path: "/notification/push/register",
			body: `{"device_token":"fcm-token-123","platform":"android"}`, result: `"Registered"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Notifications.RegisterPushDevice(ctx, "fcm-token-123", PushAndroid))
			},
		},
		{
			name: "unregister a phone", method: "POST", path: "/notification/push/unregister",
			body: `{"device_token":"fcm-token-123"}`, result: `"Unregistered"`,
			run: func(ctx context.Context, c *Client) (any, error) {
				return noResult(c.Notifications.UnregisterPushDevice(ctx, "fcm-token-123"))
			},
		},
	})
}

// TestNotificationButtonIsNotReplayed checks that pressing a button, which may run an
// analysis, is not repeated after an answer that may come after it ran.
func TestNotificationButtonIsNotReplayed(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
	got := expectSeq(mt, "PUT", "/notification/"+resNotificationID+"/ack", reply(502, ``), reply(200, `{"status":true,"result":"Done"}`))
	err := c.Notifications.PressButton(t.Context(), resNotificationID, "ack")
	require.ErrorIs(t, err, ErrServer)
	assert.True(t, MayBeStored(err))
	assert.Equal(t, 1, got.count())
}

func TestNotificationsBadInputSendsNothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		run   func(ctx context.Context, c *Client) error
		field string
	}{
		{"create without message", func(ctx context.Context, c *Client) error {
			_, err := c.Notifications.Create(ctx, NotificationCreateRequest{Title: "t"})
			return err
		}, "message"},
		{"button without label", func(ctx context.Context, c *Client) error {
			_, err := c.Notifications.Create(ctx, NotificationCreateRequest{Title: "t", Message: "m", Buttons: []NotificationButton{{ID: "a"}}})
			return err
		}, "buttons[0].label"},
		{"remove with a bad ID", func(ctx context.Context, c *Client) error { return c.Notifications.Remove(ctx, "x") }, "notification ID"},
		{"mark none read", func(ctx context.Context, c *Client) error { return c.Notifications.MarkRead(ctx) }, "notification IDs"},
		{"press an empty button", func(ctx context.Context, c *Client) error {
			return c.Notifications.PressButton(ctx, resNotificationID, "")
		}, "button ID"},
		{"register without token", func(ctx context.Context, c *Client) error {
			return c.Notifications.RegisterPushDevice(ctx, "", PushIOS)
		}, "device token"},
		{"register on an unknown platform", func(ctx context.Context, c *Client) error {
			return c.Notifications.RegisterPushDevice(ctx, "t", "blackberry")
		}, "platform"},
		{"unregister without token", func(ctx context.Context, c *Client) error {
			return c.Notifications.UnregisterPushDevice(ctx, "")
		}, "device token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newTestClient(t, AccountToken(testAccountToken))
			err := tt.run(t.Context(), c)
			require.ErrorIs(t, err, ErrInvalidInput)
			var ie *InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tt.field, ie.Field)
			assert.Zero(t, mt.GetTotalCallCount())
		})
	}
}
