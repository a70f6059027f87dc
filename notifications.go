package tago

import (
	"context"
	"iter"
)

// NotificationsService reads and sends the profile's own notifications, the ones its
// users see in the admin, and registers phones for push notifications (account token).
// A TagoRUN user's notifications are [RunService] and [RunUserService] business.
type NotificationsService service

// cl returns the service's client, or nil for a nil service.
func (s *NotificationsService) cl() *Client {
	if s == nil {
		return nil
	}
	return s.client
}

// List returns one page of the profile's notifications, newest first unless opts says
// otherwise.
//
// TagoIO API: GET /notification/
func (s *NotificationsService) List(ctx context.Context, opts *NotificationListOptions) ([]Notification, error) {
	q, err := notificationQuery(opts)
	if err != nil {
		return nil, err
	}
	return do[[]Notification](ctx, s.cl(), &call{method: "GET", path: "/notification/", query: q, kinds: accountOnly})
}

// All returns an iterator over every notification matching opts, fetching pages as the
// caller ranges.
//
// TagoIO API: GET /notification/
func (s *NotificationsService) All(ctx context.Context, opts *NotificationListOptions) iter.Seq2[Notification, error] {
	var o NotificationListOptions
	if opts != nil {
		o = *opts
	}
	return allPages(ctx, o.ListOptions, func(ctx context.Context, page ListOptions) ([]Notification, error) {
		p := o
		p.ListOptions = page
		return s.List(ctx, &p)
	})
}

// Create sends a notification to the profile and returns its ID.
//
// TagoIO API: POST /notification
func (s *NotificationsService) Create(ctx context.Context, req NotificationCreateRequest) (string, error) {
	if err := req.check(); err != nil {
		return "", err
	}
	res, err := do[struct {
		ID string `json:"id"`
	}](ctx, s.cl(), &call{method: "POST", path: "/notification", body: req, kinds: accountOnly})
	return res.ID, err
}

// Remove deletes a notification.
//
// TagoIO API: DELETE /notification/{id}
func (s *NotificationsService) Remove(ctx context.Context, notificationID string) error {
	if err := checkID("notification ID", notificationID); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "DELETE", path: "/notification/" + notificationID, kinds: accountOnly})
}

// MarkRead marks the given notifications read.
//
// TagoIO API: PUT /notification/read
func (s *NotificationsService) MarkRead(ctx context.Context, notificationIDs ...string) error {
	return s.markRead(ctx, true, notificationIDs)
}

// MarkUnread marks the given notifications unread.
//
// TagoIO API: PUT /notification/read
func (s *NotificationsService) MarkUnread(ctx context.Context, notificationIDs ...string) error {
	return s.markRead(ctx, false, notificationIDs)
}

func (s *NotificationsService) markRead(ctx context.Context, read bool, ids []string) error {
	body, err := notificationReadBody(read, ids)
	if err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "PUT", path: "/notification/read", body: body, kinds: accountOnly})
}

// MarkAllRead marks every notification of the profile read.
//
// TagoIO API: PUT /notification/markallread
func (s *NotificationsService) MarkAllRead(ctx context.Context) error {
	return exec(ctx, s.cl(), &call{method: "PUT", path: "/notification/markallread", kinds: accountOnly})
}

// PressButton presses a button of a notification, firing its triggers. It is never
// repeated once the platform may have seen it, since the triggers may run an analysis.
//
// TagoIO API: PUT /notification/{id}/{buttonID}
func (s *NotificationsService) PressButton(ctx context.Context, notificationID, buttonID string) error {
	if err := checkID("notification ID", notificationID); err != nil {
		return err
	}
	if err := checkSegment("button ID", buttonID); err != nil {
		return err
	}
	return exec(ctx, s.cl(), &call{method: "PUT", path: "/notification/" + notificationID + "/" + escape(buttonID),
		kinds: accountOnly, noReplay: true})
}

// PushPlatform is a phone platform that receives push notifications.
type PushPlatform string

// The push notification platforms.
const (
	PushIOS     PushPlatform = "ios"
	PushAndroid PushPlatform = "android"
)

// RegisterPushDevice registers a phone, by its push-service device token, to receive
// the profile's notifications as push notifications.
//
// TagoIO API: POST /notification/push/register
func (s *NotificationsService) RegisterPushDevice(ctx context.Context, deviceToken Secret, platform PushPlatform) error {
	if deviceToken == "" {
		return invalidf("device token", "must not be empty")
	}
	if platform != PushIOS && platform != PushAndroid {
		return invalidf("platform", "unknown push platform %q (want ios or android)", string(platform))
	}
	body := struct {
		DeviceToken Secret       `json:"device_token"`
		Platform    PushPlatform `json:"platform"`
	}{deviceToken, platform}
	return exec(ctx, s.cl(), &call{method: "POST", path: "/notification/push/register", body: body, kinds: accountOnly})
}

// UnregisterPushDevice stops push notifications to a phone.
//
// TagoIO API: POST /notification/push/unregister
func (s *NotificationsService) UnregisterPushDevice(ctx context.Context, deviceToken Secret) error {
	if deviceToken == "" {
		return invalidf("device token", "must not be empty")
	}
	body := struct {
		DeviceToken Secret `json:"device_token"`
	}{deviceToken}
	return exec(ctx, s.cl(), &call{method: "POST", path: "/notification/push/unregister", body: body, kinds: accountOnly})
}
