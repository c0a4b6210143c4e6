package main

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// BiometricService is where a non-citizen's face capture is forwarded
// (docs/retention.md): the biometric system, over HTTPS with mutual TLS.
// The booth authenticates with its port certificate (port_server.cert and
// key); ca is the CA of the service's server certificate.
type BiometricService struct {
	URL      string   `toml:"url" comment:"https://host:port of the biometric system; empty: captures are not forwarded (a non-citizen's is purged at 14 days, audited as not forwarded)."`
	CA       string   `toml:"ca" comment:"PEM file of the CA of the biometric system's certificate; empty: port_server.ca."`
	Interval Duration `toml:"interval" comment:"How often the forward queue is looked at (failures back off from 30s, doubling, to 1h)."`
	Timeout  Duration `toml:"timeout" comment:"Budget for one forward."`
}

func defaultBiometricService() BiometricService {
	return BiometricService{Interval: Duration{5 * time.Second}, Timeout: Duration{30 * time.Second}}
}

// validate names every bad key of the [biometric_service] section.
func (b BiometricService) validate() []error {
	var errs []error
	if b.URL != "" && !strings.HasPrefix(b.URL, "https://") {
		errs = append(errs, fmt.Errorf("biometric_service.url: %q must be https:// (mutual TLS only)", b.URL))
	}
	if b.Interval.Duration <= 0 {
		errs = append(errs, errors.New("biometric_service.interval: must be positive"))
	}
	if b.Timeout.Duration <= 0 {
		errs = append(errs, errors.New("biometric_service.timeout: must be positive"))
	}
	return errs
}
