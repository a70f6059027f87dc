package tago

import "context"

// TagsService reads the tag keys in use per kind of resource (account token).
type TagsService service

func (s *TagsService) cl() *Client {
	if s == nil {
		return nil
	}
	return s.client
}

// TagResource is a kind of resource that carries tags.
type TagResource string

// The kinds of tagged resources.
const (
	TagDevices    TagResource = "device"    // TagDevices is devices.
	TagBuckets    TagResource = "bucket"    // TagBuckets is buckets (legacy device storage).
	TagDashboards TagResource = "dashboard" // TagDashboards is dashboards.
	TagActions    TagResource = "action"    // TagActions is actions.
	TagAnalyses   TagResource = "analysis"  // TagAnalyses is analyses.
	TagTagoCores  TagResource = "tcore"     // TagTagoCores is TagoCore instances.
	TagRunUsers   TagResource = "run_users" // TagRunUsers is TagoRUN users.
	TagSecrets    TagResource = "secrets"   // TagSecrets is secrets.
)

// Keys returns the tag keys used by the profile's resources of one kind.
//
// TagoIO API: GET /tags/keys/{type}
func (s *TagsService) Keys(ctx context.Context, kind TagResource) ([]string, error) {
	switch kind {
	case TagDevices, TagBuckets, TagDashboards, TagActions, TagAnalyses, TagTagoCores, TagRunUsers, TagSecrets:
	default:
		return nil, invalidf("resource type", "unknown resource type %q", string(kind))
	}
	return do[[]string](ctx, s.cl(), &call{method: "GET", path: "/tags/keys/" + escape(string(kind)), kinds: accountOnly})
}
