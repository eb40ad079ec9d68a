"""Messages that ask nothing of the case studies (answering/small_talk.py)."""

import pytest

from casebook.index.answering.small_talk import small_talk, unanchored, without_small_talk

SECTIONS = ["Health inequalities case studies", "Social prescribing – video case study"]


@pytest.mark.parametrize("message", ["hi", "Hello there!", "good morning", "Hey Casebook"])
def test_a_greeting_is_greeted_and_told_what_to_ask(message: str) -> None:
    reply = small_talk(message, lambda: SECTIONS)
    assert reply is not None and reply.startswith("Hello.") and "Ask about a topic" in reply


@pytest.mark.parametrize("message", ["thanks", "Thank you very much.", "cheers!",
                                     "thanks, that's helpful", "Great, thanks!",
                                     "thank you for your help"])
def test_thanks_is_answered(message: str) -> None:
    assert (small_talk(message, lambda: SECTIONS) or "").startswith("You're welcome.")


@pytest.mark.parametrize("message", ["That's really useful.", "perfect"])
def test_praise_alone_is_answered(message: str) -> None:
    assert (small_talk(message, lambda: SECTIONS) or "").startswith("Glad it helped.")


@pytest.mark.parametrize("message", ["help", "What can you do?", "how does this work?"])
def test_asking_what_casebook_does_is_told_what_it_covers(message: str) -> None:
    reply = small_talk(message, lambda: SECTIONS) or ""
    assert reply.startswith("I answer questions") and "Health inequalities case studies" in reply


@pytest.mark.parametrize("message", [
    "Hi, how did Hounslow reach Muslim communities?", "help for carers", "thanks to volunteers",
    "useful case studies on cancer", "is that good?",
    "What can link workers do for refugees?", "hello world project"])
def test_a_question_is_no_small_talk(message: str) -> None:
    assert small_talk(message, lambda: SECTIONS) is None


@pytest.mark.parametrize(("message", "pointer"), [
    ("Who runs it?", "it"), ("When did they start?", "they"), ("How did they do it?", "they"),
    ("Is it free?", "it"), ("Who paid for that service?", "that"),
    # "the" with nothing named: the thing it asks of is no more known than "it"
    ("What were the results?", "the results"), ("When did the service start?", "the service"),
    ("What were the two projects?", "the two projects"),
    # "any of them" still points back; "anyone ... their" does not
    ("Did any of them start?", "them")])
def test_a_question_pointing_back_at_nothing_asks_what_it_means(message: str,
                                                                 pointer: str) -> None:
    reply = unanchored(message) or ""
    assert f"\u201c{pointer}\u201d" in reply and "Name the project, place or case study" in reply


@pytest.mark.parametrize("message", [
    "How many video case studies are there?", "What is it like to be a link worker?",
    "Who runs it in Barnet?", "How did they reach Muslim communities?",
    "Who runs the Barnet Wellbeing Service?", "Is there anything on gambling?",
    "What is the Well Centre?", "What were the lessons learned from social prescribing?",
    # "the" before a topic and the collection's unit names what it asks of
    "Where are the refugee projects?", "What are the vaccine case studies?",
    # what the pronoun points to is in the question: "anyone", "any project"
    "Has anyone evaluated their service?", "Did any project measure its impact?"])
def test_a_question_that_says_what_it_is_about_is_asked(message: str) -> None:
    assert unanchored(message) is None


def test_small_talk_is_no_turn_a_follow_up_leans_on() -> None:
    messages = [{"role": "user", "content": "hi"},
                {"role": "assistant", "content": "Hello. Ask about a topic."},
                {"role": "user", "content": "Tell me about the Crawley Posh Club"},
                {"role": "assistant", "content": "Crawley Posh Club brings people together."},
                {"role": "user", "content": "thanks!"},
                {"role": "assistant", "content": "You're welcome."},
                {"role": "user", "content": "Who runs it?"}]
    assert [m["content"] for m in without_small_talk(messages)] == [
        "Tell me about the Crawley Posh Club", "Crawley Posh Club brings people together.",
        "Who runs it?"]
    # the last message is kept whatever it is
    assert without_small_talk(messages[:1]) == messages[:1]
