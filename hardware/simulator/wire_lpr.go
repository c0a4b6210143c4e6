package simulator

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/portofentry/booth/hardware"
)

// alprResults is the OpenALPR agent's per-frame JSON object. Field order is
// the agent's, kept by the struct.
type alprResults struct {
	Version          int          `json:"version"`
	DataType         string       `json:"data_type"`
	EpochTime        int64        `json:"epoch_time"`
	ImgWidth         int          `json:"img_width"`
	ImgHeight        int          `json:"img_height"`
	ProcessingTimeMS float64      `json:"processing_time_ms"`
	CameraID         string       `json:"camera_id"`
	Results          []alprResult `json:"results"`
}

type alprResult struct {
	Plate            string      `json:"plate"`
	Confidence       float64     `json:"confidence"`
	MatchesTemplate  int         `json:"matches_template"`
	Region           string      `json:"region,omitempty"` // omitted when the region is unknown
	RegionConfidence float64     `json:"region_confidence"`
	Candidates       []Candidate `json:"candidates"`
}

// defaultCameraID is the camera of the simulated lane.
const defaultCameraID = "lane1-lpr"

// PlateLine returns the OpenALPR JSON line for a plate step seen at now: one
// object and a LF. Region is sent lower-case as the agent does.
func PlateLine(p PlateStep, now time.Time) ([]byte, error) {
	cam := p.CameraID
	if cam == "" {
		cam = defaultCameraID
	}
	obj := alprResults{
		Version:          2,
		DataType:         "alpr_results",
		EpochTime:        now.Add(-time.Duration(p.Age)).UnixMilli(),
		ImgWidth:         1920,
		ImgHeight:        1080,
		ProcessingTimeMS: 48.7,
		CameraID:         cam,
		Results:          []alprResult{},
	}
	if !p.Empty {
		cands := p.Candidates
		if len(cands) == 0 {
			cands = []Candidate{{Plate: p.Plate, Confidence: p.Confidence}}
		}
		rc := p.RegionConfidence
		if rc == 0 && p.Region != "" {
			rc = 80
		}
		obj.Results = append(obj.Results, alprResult{
			Plate:            p.Plate,
			Confidence:       p.Confidence,
			MatchesTemplate:  1,
			Region:           strings.ToLower(p.Region),
			RegionConfidence: rc,
			Candidates:       cands,
		})
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("encode plate: %w", err)
	}
	return append(b, '\n'), nil
}

func (p *PlateStep) emissions() []emission {
	step := *p
	return []emission{{dev: hardware.DeviceLPR, gen: func(now time.Time) []byte {
		b, err := PlateLine(step, now)
		if err != nil {
			// Only NaN or Inf confidences fail to encode; send what a
			// confused agent would, an unparsable line.
			return []byte("{\"data_type\":\"alpr_results\",\"error\":\"encode\"}\n")
		}
		return b
	}}}
}
