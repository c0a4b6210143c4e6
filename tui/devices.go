package tui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/portofentry/booth/hardware"
	"github.com/portofentry/booth/records"
)

// onDevice handles one device event: a reading becomes a crossing event
// (devicePayload) that the lane assigns to a crossing, opening one when
// needed; anything else updates the header and the status line.
func (m *Model) onDevice(ev hardware.Event) tea.Cmd {
	at := ev.At
	if at.IsZero() {
		at = m.c.now()
	}
	p := devicePayload(ev, m.c.cfg.Mode)
	if p == nil {
		m.onDeviceState(ev)
		return nil
	}
	if m.c.cfg.ReadOnly {
		// A read-only workstation records nothing, device readings
		// included; the lane's own booth records them.
		return nil
	}
	obs, _ := records.ObservationOf(p, at)
	a := m.ws.lane.Observe(obs)
	m.evicted(a)
	if a.Duplicate {
		return nil
	}
	m.ws.crossing(a.CrossingID)
	if a.Open {
		if err := m.openCrossing(a.CrossingID, a.Trigger, at, ""); err != nil {
			m.ws.lane.Abandon(a.CrossingID)
			m.ws.drop(a.CrossingID)
			m.setStatus(true, "✖ %s NOT saved: %v", kindWhat(p.Kind()), err)
			return nil
		}
	}
	if read, ok := p.(records.RFIDRead); ok {
		return m.tagCmd(a.CrossingID, read, at)
	}
	ev2, err := records.NewEvent(a.CrossingID, p, at, "")
	if err != nil {
		m.setStatus(true, "✖ %s NOT saved: %v", kindWhat(p.Kind()), err)
		return nil
	}
	return m.appendCmd(a.CrossingID, "", false, ev2)
}

// onDeviceState shows a device's health, errors, faults and tamper.
func (m *Model) onDeviceState(ev hardware.Event) {
	switch ev.Kind {
	case hardware.KindStatus:
		if ev.Status == nil {
			return
		}
		h := m.health[ev.Device]
		was := h.State
		h.Device, h.State = ev.Device, ev.Status.State
		m.health[ev.Device] = h
		switch {
		case ev.Status.State == hardware.StateDisconnected && was != hardware.StateDisconnected:
			m.setStatus(true, "✖ %s disconnected — reconnecting by itself (%s)", deviceName(ev.Device), ev.Status.Detail)
		case ev.Status.State == hardware.StateConnected && was == hardware.StateDisconnected:
			m.setStatus(false, "✔ %s connected again", deviceName(ev.Device))
		}
	case hardware.KindError:
		h := m.health[ev.Device]
		h.Device = ev.Device
		h.Errors++
		if ev.Error != nil {
			h.LastError = ev.Error.Err
		}
		m.health[ev.Device] = h
		if ev.Device == hardware.DeviceDoc && m.officer != nil {
			m.setStatus(true, "✖ document not readable — present it again, or key it by hand (%s)", m.c.keys.Manual.Help().Key)
		}
	case hardware.KindFault:
		if ev.Fault != nil {
			m.setStatus(true, "⚠ RPM background fault %s %s", ev.Fault.Code, ev.Fault.Detail)
		}
	case hardware.KindTamper:
		if ev.Tamper != nil && ev.Tamper.Active {
			m.setStatus(true, "⚠ RPM TAMPER — notify the supervisor")
		}
	}
}

func (m *Model) evicted(a records.Assignment) {
	for _, id := range a.Evicted {
		m.log.Warn("approaching vehicle no longer correlated", "crossing", id)
		m.ws.drop(id)
	}
}

func deviceName(d hardware.Device) string {
	switch d {
	case hardware.DeviceDoc:
		return "document reader"
	case hardware.DeviceRFID:
		return "RFID reader"
	case hardware.DeviceRPM:
		return "radiation portal monitor"
	case hardware.DeviceLPR:
		return "plate reader"
	}
	return string(d)
}
