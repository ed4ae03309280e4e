// Command terraform-provider-aws is the test provider that internal/tftest
// builds into a filesystem mirror, so that offline Terraform runs in tests
// resolve hashicorp/aws to it. See internal/fakeaws for what it models.
//
// It is test tooling: no tfdrift code may import or ship it.
package main

import (
	"context"
	"flag"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/tfdrift/tfdrift/internal/tftest/internal/fakeaws"
)

// Version is the provider version the mirror publishes; fixtures pin it in
// required_providers.
const Version = "0.0.1"

func main() {
	debug := flag.Bool("debug", false, "serve for a debugger (prints TF_REATTACH_PROVIDERS)")
	flag.Parse()
	err := providerserver.Serve(context.Background(), fakeaws.New(Version, os.Getenv("FAKEAWS_CLOUD_FILE")), providerserver.ServeOpts{
		Address:         fakeaws.Address,
		Debug:           *debug,
		ProtocolVersion: 5,
	})
	if err != nil {
		log.Fatal(err)
	}
}
