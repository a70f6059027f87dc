package tago

import (
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestQueryEncodesLikeTheOfficialSDK(t *testing.T) {
	t.Parallel()
	// Resources.devices.list({fields:["id","name","tags"], filter:{name:"*test*",
	// tags:[{key:"type",value:"sensor"}]}}) in the JS SDK, from the reference.
	var q query
	q.addInt("page", 1)
	q.addInt("amount", 20)
	q.addList("fields", []string{"id", "name", "tags"})
	q.addString("filter[name]", "*test*")
	q.addTags("filter[tags]", []Tag{{Key: "type", Value: "sensor"}})
	q.addOrder("orderBy", "name", false)
	q.addBool("resolveBucketName", false)
	q.addBool("resolveConnectorName", false)
	assert.Equal(t, "page=1&amount=20&fields%5B0%5D=id&fields%5B1%5D=name&fields%5B2%5D=tags"+
		"&filter%5Bname%5D=%2Atest%2A&filter%5Btags%5D%5B0%5D%5Bkey%5D=type&filter%5Btags%5D%5B0%5D%5Bvalue%5D=sensor"+
		"&orderBy=name%2Casc&resolveBucketName=false&resolveConnectorName=false", q.encode())

	decoded, err := url.QueryUnescape(q.encode())
	require.NoError(t, err)
	assert.Equal(t, "page=1&amount=20&fields[0]=id&fields[1]=name&fields[2]=tags&filter[name]=*test*"+
		"&filter[tags][0][key]=type&filter[tags][0][value]=sensor&orderBy=name,asc"+
		"&resolveBucketName=false&resolveConnectorName=false", decoded)
}

func TestQueryValues(t *testing.T) {
	t.Parallel()
	var q query
	q.addList("variables", []string{"temperature", "humidity"})
	q.addInt("qty", 10)
	q.addString("query", "last_value")
	q.addString("skipped", "")
	q.addList("empty", nil)
	q.addTags("none", nil)
	q.addOrder("orderBy", "", true)
	q.addBoolPtr("nil", nil)
	q.addBoolPtr("active", Ptr(true))
	q.addTime("start_date", time.Date(2024, 1, 2, 3, 4, 5, 6e6, time.FixedZone("BRT", -3*3600)))
	q.addTime("end_date", time.Time{})
	q.addFloat("value", 21.5)
	q.addOrder("orderBy", "created_at", true)
	q.add("blank", "")
	q.add("ids[0]", "5f0c:6a7b")
	q.add("text", "a b&c=d/é")
	assert.Equal(t, 11, q.len())
	decoded, err := url.QueryUnescape(q.encode())
	require.NoError(t, err)
	assert.Equal(t, "variables[0]=temperature&variables[1]=humidity&qty=10&query=last_value&active=true"+
		"&start_date=2024-01-02T06:04:05.006Z&value=21.5&orderBy=created_at,desc&blank=&ids[0]=5f0c:6a7b&text=a b&c=d/é", decoded)
	assert.Contains(t, q.encode(), "text=a%20b%26c%3Dd%2F%C3%A9", "reserved bytes and UTF-8 are percent-encoded")
	assert.Contains(t, q.encode(), "ids%5B0%5D=5f0c%3A6a7b")

	parsed, err := url.ParseQuery(q.encode())
	require.NoError(t, err)
	assert.Equal(t, "a b&c=d/é", parsed.Get("text"), "Go's own parser reads it back")
}

func TestEmptyQuery(t *testing.T) {
	t.Parallel()
	var q *query
	assert.Equal(t, "", q.encode())
	assert.Equal(t, "", (&query{}).encode())
}
