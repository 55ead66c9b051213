from django.contrib.auth.models import User

from projects.names import person_name


def test_chinese_names_are_written_family_name_first_without_a_space():
    assert person_name(User(username="zhaolei", first_name="磊", last_name="赵")) == "赵磊"


def test_other_names_keep_their_order_and_fall_back_to_the_username():
    assert person_name(User(username="lw", first_name="Lin", last_name="Wei")) == "Lin Wei"
    assert person_name(User(username="lw")) == "lw"
    assert person_name(None) == ""
