package records

// Reference data comes down from the port server as JSON lines, one dataset
// per kind (travelers, rfid, lookouts, lost-stolen): these are the shapes of
// their lines, shared by the store that loads them, the port server that
// publishes them and the device simulator whose scenarios resolve against
// them. A document in a line is a DocumentRef.

// TravelerRecord is one line of the travelers dataset: a person known to a
// partner agency, keyed by document.
type TravelerRecord struct {
	ID          string      `json:"id"`
	Document    DocumentRef `json:"document"`
	Surname     string      `json:"surname"`
	GivenNames  string      `json:"given_names"`
	BirthDate   string      `json:"birth_date"`
	Sex         string      `json:"sex"`
	Nationality string      `json:"nationality"`
	// Citizenship is ISO alpha-3, "" when unknown.
	Citizenship string `json:"citizenship"`
	// Status is the immigration status or visa: USC, LPR, B1/B2, BCC, TN…
	Status     string `json:"status"`
	ExpiryDate string `json:"expiry_date"`
}

// RFIDRecord is one line of the rfid dataset: a card's EPC enrolled in a
// program, with the vehicles ("REGION/PLATE") a SENTRI enrollment covers.
type RFIDRecord struct {
	EPC           string      `json:"epc"`
	Program       string      `json:"program"`
	TravelerID    string      `json:"traveler_id"`
	Document      DocumentRef `json:"document"`
	VehiclePlates []string    `json:"vehicle_plates"`
}

// Lookout match types (LookoutRecord.By).
const (
	LookoutByDocument = "document"
	LookoutByNameDOB  = "name_dob"
	LookoutByPlate    = "plate"
)

// LookoutRecord is one line of the lookouts dataset. Which fields matter
// depends on By.
type LookoutRecord struct {
	ID          string       `json:"id"`
	By          string       `json:"by"`
	Document    *DocumentRef `json:"document"`
	Surname     string       `json:"surname"`
	GivenNames  string       `json:"given_names"`
	BirthDate   string       `json:"birth_date"`
	Plate       string       `json:"plate"`
	Severity    string       `json:"severity"`
	Instruction string       `json:"instruction"`
	Detail      string       `json:"detail"`
}

// LostStolenRecord is one line of the lost-stolen dataset.
type LostStolenRecord struct {
	ID         string      `json:"id"`
	Document   DocumentRef `json:"document"`
	ReportedAt string      `json:"reported_at"`
	Reason     string      `json:"reason"`
}
