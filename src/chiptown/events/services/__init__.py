"""Every write of the conference, one module per part: programme (rooms, tracks, sessions, publishing),
speakers (invitations, bios, materials), registrations (registering, approval, badges, agenda), seats (sign-up,
waiting list, offers, closed-door invitations and NDAs), on the day (check-in, attendance, feedback)."""
