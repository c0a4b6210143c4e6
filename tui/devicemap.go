package tui

import (
	"strings"

	"github.com/portofentry/booth/hardware"
	"github.com/portofentry/booth/records"
)

// devicePayload maps a device event to the crossing event payload that
// records it: a card read, a portal occupancy, a plate read or a document
// read. It returns nil for an event that records nothing (device status,
// errors, faults, tamper; an event missing its reading; a plate read at a
// pedestrian counter, where there is no vehicle). It is pure: no state, no
// I/O.
func devicePayload(ev hardware.Event, mode records.Mode) records.Payload {
	switch ev.Kind {
	case hardware.KindTag:
		if ev.Tag == nil || ev.Tag.EPC == "" {
			return nil
		}
		return records.RFIDRead{EPC: ev.Tag.EPC, Antenna: ev.Tag.Antenna, RSSI: ev.Tag.RSSI}
	case hardware.KindOccupancy:
		if ev.Occupancy == nil {
			return nil
		}
		o := ev.Occupancy
		return records.RPMOccupancy{Occupancy: o.Occupancy, Start: o.Start, End: o.End, GammaAlarm: o.GammaAlarm,
			NeutronAlarm: o.NeutronAlarm, MaxGamma: o.MaxGamma, MaxNeutron: o.MaxNeutron,
			BackgroundGamma: o.BackgroundGamma, Speed: o.Speed}
	case hardware.KindPlate:
		if ev.Plate == nil || ev.Plate.Plate == "" || mode == records.ModePedestrian {
			return nil
		}
		pl := ev.Plate
		pr := records.PlateRead{Plate: strings.ToUpper(pl.Plate), Region: strings.ToUpper(pl.Region),
			Confidence: pl.Confidence, CameraID: pl.CameraID}
		for _, c := range pl.Candidates {
			pr.Candidates = append(pr.Candidates, records.PlateCandidate{Plate: strings.ToUpper(c.Plate), Confidence: c.Confidence})
		}
		return pr
	case hardware.KindDocument:
		if ev.Document == nil || ev.Document.MRZ == nil {
			return nil
		}
		return records.DocumentRead{Raw: ev.Document.Raw, MRZ: *ev.Document.MRZ}
	}
	return nil
}
