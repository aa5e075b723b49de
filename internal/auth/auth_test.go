package auth

import "testing"

func TestHashVerify(t *testing.T) {
	h, err := Hash("2468")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := Verify(h, "2468"); !ok || err != nil {
		t.Fatalf("right PIN refused: %v", err)
	}
	if ok, _ := Verify(h, "2469"); ok {
		t.Fatal("wrong PIN accepted")
	}
	h2, _ := Hash("2468")
	if h2 == h {
		t.Fatal("two hashes of one PIN are equal: the salt is not random")
	}
	for _, bad := range []string{"", "$argon2id$v=19$m=1,t=1,p=1$$", "$bcrypt$x$y$z$w", h[:len(h)-3] + "!!!"} {
		if ok, err := Verify(bad, "2468"); ok || err == nil {
			t.Errorf("malformed hash %q: ok=%v err=%v", bad, ok, err)
		}
	}
}
