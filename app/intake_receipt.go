package app

// printReceipt has the desk render the receipt of dossier id to a PDF and
// record that it was printed, then sends it to paper (deliverReceipt: the
// viewer or the printer of the settings; when neither works the clerk sees
// the path and what to do). The path is returned.
func printReceipt(u *UI, id string, reprint bool) (string, error) {
	path, err := u.Desk.PrintReceipt(u.Ctx, u.Actor(), id, u.Staff.FullName, reprint)
	if err != nil {
		return path, err
	}
	u.deliverReceipt(path)
	return path, nil
}
