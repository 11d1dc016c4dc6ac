"""Whatever a visitor types into the join form, the answer is a page, never a crash."""

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from komunigi.community.models import JoinRequest

VALID = {
    "organisation_name": "La Cagette",
    "kind": "supermarket",
    "country": "FR",
    "contact_name": "Camille Martin",
    "contact_email": "camille@cagette.example",
    "message": "Bonjour",
    "consent": "on",
}
# Text as people (and robots) type it: any character, control characters and NUL included.
any_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=300)
# A form where each field keeps its valid value or gets arbitrary text instead.
join_data = st.fixed_dictionaries(
    {field: st.one_of(st.just(value), any_text) for field, value in VALID.items()}
)


class JoinFormProperties(TestCase):
    @settings(max_examples=80, deadline=None)
    @given(data=join_data)
    def test_join_form_answers_every_input_with_a_page(self, data: dict[str, str]) -> None:
        response = self.client.post("/en/join/", {**data, "website": ""})
        created = JoinRequest.objects.count()
        if response.status_code == 302:
            assert response["Location"] == "/en/join/thanks/"
            assert created == 1
            join_request = JoinRequest.objects.get()
            assert join_request.contact_email == data["contact_email"].strip().lower()
        else:
            assert response.status_code == 200
            assert response.context["form"].errors
            assert created == 0
