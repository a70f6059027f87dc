package tago_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/go-tago/tago"
	"github.com/go-tago/tago/tagotest"
)

// Upload a file of any size from a reader, with progress, then walk its folder, check
// its MD5 and get a download link, which prints masked: it lets anyone download the
// file.
func ExampleFilesService_Upload() {
	srv, err := tagotest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()
	client, err := tago.NewClient(tago.AccountToken(srv.AccountToken()), tago.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}

	report := strings.NewReader(strings.Repeat("2024-05-01T00:00:00Z,21.5\n", 1000)) // 26,000 bytes
	res, err := client.Files.Upload(ctx, "reports/may.csv", report, &tago.FileUploadOptions{
		ContentType:  "text/csv",
		SmallFileMax: -1, // the multipart upload, whose answer carries the file's URL
		Progress:     func(p tago.FileUploadProgress) { fmt.Printf("sent %d of %d bytes\n", p.Sent, p.Total) },
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("parts:", res.Parts)

	for e, err := range client.Files.All(ctx, &tago.FileListOptions{Path: "reports/"}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(e.File.Filename, e.File.Size, "bytes")
	}
	sum, err := client.Files.MD5(ctx, res.URL)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("md5:", sum)
	link, err := client.Files.SignedURL(ctx, res.URL)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("link:", link)
	// Output:
	// sent 26000 of 26000 bytes
	// parts: 1
	// reports/may.csv 26000 bytes
	// md5: 1b588b5fa65517f93e5d176a5f93ed6b
	// link: ****.csv
}
