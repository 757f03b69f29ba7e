package tui

import "fmt"

// menuView is the fault menu, or the confirmation of the chosen fault.
func (w Watch) menuView(d drillDown, width int) []string {
	st := w.cfg.Styles
	opts := w.cfg.Faults.Options()
	if d.mode == modeConfirm {
		o := opts[d.menu]
		q := fmt.Sprintf("Inject %q: %s?", o.Label, o.Help)
		if o.ID == ClearID {
			q = "Remove every fault?"
		}
		return []string{
			rule(st.Dim.Render("── confirm "), width),
			st.Warn.Render(q),
			st.Dim.Render("y to confirm · esc to go back"),
		}
	}
	out := []string{rule(st.Dim.Render("── inject a fault between the probe and Redis "), width)}
	for i, o := range opts {
		mark := " "
		if i == d.menu {
			mark = ">" // the selection is shown without colour too
		}
		line := fmt.Sprintf("%s%d  %-11s %s", mark, i+1, o.Label, o.Help)
		if i == d.menu {
			out = append(out, st.MenuSelected.Render(fit(line, width)))
			continue
		}
		out = append(out, st.MenuItem.Render(line))
	}
	return out
}
