"""Record schemas: one parsed JSON object (or table row) -> the texts of a :class:`Doc`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from distillcost.errors import InputError

_ASSISTANT = frozenset({"gpt", "assistant", "chatgpt", "bard", "bing", "model", "function_call"})
# ShareGPT speakers on the prompt side, and the API role each is sent as
_PROMPT_SPEAKERS = {
    "human": "user",
    "user": "user",
    "system": "system",
    "tool": "tool",
    "observation": "tool",
    "function_response": "tool",
    "function": "function",
}
# OpenAI chat roles. Any other role is an error, not silently prompt-side: a Gemini-style
# "model" answer counted as prompt would be priced as input, several times cheaper.
CHAT_ROLES = frozenset({"system", "developer", "user", "assistant", "tool", "function"})


class BadRecord(InputError):
    """One record that cannot be counted (malformed JSON, missing field, ...)."""


class Doc(NamedTuple):
    """The texts of one document, ready to tokenize.

    ``prompt`` holds the prompt-side texts (or the only side); ``completion`` is
    ``None`` for one-sided formats. For chat, ``roles`` lists the roles of the
    prompt-side messages and ``names`` how many of them carry a ``name`` (their
    names are already among the prompt texts): the counter adds the API's
    per-message overhead from these.
    """

    prompt: list[str]
    completion: list[str] | None = None
    roles: tuple[str, ...] = ()
    names: int = 0
    chat: bool = False
    # chat: the messages in order, one small int each: an assistant message is
    # -(texts + 1) (its texts are the next ones of ``completion``), any other 2·texts + 1
    # if it has a name else 2·texts (its texts, name included, are the next ones of
    # ``prompt``; its role the next of ``roles``). The turn structure, at almost no cost.
    layout: tuple[int, ...] = ()


class Unit(NamedTuple):
    raw: Any  # bytes (a line), str (a chunk or field value) or dict (a row)
    size: int | None  # bytes; None = measure the parsed Doc's texts
    where: int  # 1-based line, row or record number


def doc_bytes(doc: Doc) -> int:
    """UTF-8 size of a document's texts: the sampling weight when no raw size exists."""
    n = sum(len(t.encode("utf-8")) for t in doc.prompt)
    if doc.completion:
        n += sum(len(t.encode("utf-8")) for t in doc.completion)
    return n


def doc_chars(doc: Doc) -> int:
    n = sum(map(len, doc.prompt))
    if doc.completion:
        n += sum(map(len, doc.completion))
    return n


# ---------------------------------------------------------------- record schemas


def _content_texts(content: Any, what: str) -> list[str]:
    if isinstance(content, str):
        return [content]
    if content is None:
        return []
    if isinstance(content, list):
        texts = []
        for part in content:
            if isinstance(part, str):
                texts.append(part)
            elif isinstance(part, dict):
                if part.get("type", "text") == "text":
                    text = part.get("text")
                    if not isinstance(text, str):
                        raise BadRecord(f"{what}: a text part has no string 'text'")
                    texts.append(text)
            else:
                raise BadRecord(f"{what}: content parts must be objects or strings")
        return texts
    raise BadRecord(f"{what}: content is {type(content).__name__}, not text")


def _top_level_system(rec: dict[str, Any]) -> list[str]:
    """A record-level ``system`` prompt (Anthropic's Messages shape, LLaMA-Factory's ShareGPT).

    It is sent with every request, so it is a system message on the prompt side.
    """
    value = rec.get("system")
    if value is None or value == "":
        return []
    if isinstance(value, (str, list)):
        return _content_texts(value, "field 'system'")
    raise BadRecord(f"field 'system' is {type(value).__name__}, not text")


def parse_chat(rec: dict[str, Any]) -> Doc:
    messages = rec.get("messages")
    if type(messages) is not list:
        raise BadRecord(_missing(rec, "messages", "a list of messages"))
    prompt: list[str] = _top_level_system(rec)
    completion: list[str] = []
    roles: list[str] = ["system"] if prompt else []
    layout: list[int] = [2 * len(prompt)] if prompt else []
    names = 0
    for i, msg in enumerate(messages, 1):
        if type(msg) is not dict:
            raise BadRecord(f"message {i} is not an object")
        role = msg.get("role")
        content = msg.get("content")
        if type(role) is not str:
            raise BadRecord(f"message {i} has no 'role'")
        if role not in CHAT_ROLES:
            raise BadRecord(
                f"message {i}: unknown role {role!r} (expected {', '.join(sorted(CHAT_ROLES))})"
            )
        if content is None and not (
            role == "assistant" and (msg.get("tool_calls") or msg.get("function_call"))
        ):
            # only an assistant turn that calls a tool may have no content (OpenAI's format)
            state = "null" if "content" in msg else "missing"
            raise BadRecord(f"message {i} ({role}): content is {state}")
        if role == "assistant":
            before = len(completion)
            if type(content) is str:
                completion.append(content)
            elif content is not None:
                completion.extend(_content_texts(content, f"message {i}"))
            layout.append(-(len(completion) - before + 1))
            continue
        roles.append(role)
        before = len(prompt)
        if type(content) is str:
            prompt.append(content)
        elif content is not None:
            prompt.extend(_content_texts(content, f"message {i}"))
        name = msg.get("name")
        if name:
            if type(name) is not str:
                raise BadRecord(f"message {i}: 'name' is not text")
            prompt.append(name)
            names += 1
        layout.append(2 * (len(prompt) - before) + (1 if name else 0))
    return Doc(prompt, completion, tuple(roles), names, True, tuple(layout))


def parse_sharegpt(rec: dict[str, Any]) -> Doc:
    turns = rec.get("conversations")
    if not isinstance(turns, list):
        raise BadRecord(_missing(rec, "conversations", "a list of turns"))
    prompt: list[str] = _top_level_system(rec)
    completion: list[str] = []
    roles: list[str] = ["system"] if prompt else []
    layout: list[int] = [2 * len(prompt)] if prompt else []
    for i, turn in enumerate(turns, 1):
        if not isinstance(turn, dict):
            raise BadRecord(f"turn {i} is not an object")
        speaker = turn.get("from")
        if not isinstance(speaker, str):
            raise BadRecord(f"turn {i} has no 'from'")
        value = turn.get("value")
        if value is None:  # as a chat message's content: not a silent 0-token turn
            state = "null" if "value" in turn else "missing"
            raise BadRecord(f"turn {i} ({speaker}): 'value' is {state}")
        if isinstance(value, str):
            texts = [value]
        else:
            raise BadRecord(f"turn {i}: 'value' is {type(value).__name__}, not text")
        key = speaker.lower()
        if key in _ASSISTANT:
            completion.extend(texts)
            layout.append(-2)  # one text
        elif key in _PROMPT_SPEAKERS:
            roles.append(_PROMPT_SPEAKERS[key])
            prompt.extend(texts)
            layout.append(2)  # one text, no name
        else:
            known = sorted({*_ASSISTANT, *_PROMPT_SPEAKERS})
            raise BadRecord(
                f"turn {i}: unknown speaker {speaker!r} in 'from' (expected {', '.join(known)})"
            )
    return Doc(prompt, completion, tuple(roles), 0, True, tuple(layout))


def _text_field(rec: dict[str, Any], name: str, required: bool = True) -> str:
    value = rec.get(name)
    if value is None:
        if required:
            # a null answer counted as "" would be a silent zero in the campaign's cost
            raise BadRecord(_missing(rec, name) if name not in rec else f"field {name!r} is null")
        return ""
    if not isinstance(value, str):
        raise BadRecord(f"field {name!r} is {type(value).__name__}, not text")
    return value


def parse_instruction(rec: dict[str, Any]) -> Doc:
    instruction = _text_field(rec, "instruction")
    extra = _text_field(rec, "input", required=False)
    output = _text_field(rec, "output" if "output" in rec or "response" not in rec else "response")
    prompt = instruction + "\n" + extra if extra else instruction
    return Doc([prompt], [output])


def parse_prompt_completion(rec: dict[str, Any]) -> Doc:
    return Doc([_text_field(rec, "prompt")], [_text_field(rec, "completion")])


def parse_question_answer(rec: dict[str, Any]) -> Doc:
    return Doc([_text_field(rec, "question")], [_text_field(rec, "answer")])


def field_parser(name: str) -> Callable[[dict[str, Any]], Doc]:
    def parse_field(rec: dict[str, Any]) -> Doc:
        return Doc([_text_field(rec, name)])

    return parse_field


PARSERS: dict[str, Callable[[dict[str, Any]], Doc]] = {
    "chat": parse_chat,
    "sharegpt": parse_sharegpt,
    "instruction": parse_instruction,
    "prompt-completion": parse_prompt_completion,
    "question-answer": parse_question_answer,
}


def _keys(rec: dict[str, Any]) -> str:
    keys = list(rec)
    shown = ", ".join(map(str, keys[:12])) + (", ..." if len(keys) > 12 else "")
    return shown or "none"


def _missing(rec: dict[str, Any], name: str, what: str = "") -> str:
    suffix = f" ({what})" if what else ""
    return f"no field {name!r}{suffix}; the record has: {_keys(rec)}"


def detect_schema(rec: Any) -> str:
    """The record format of one record, from its keys."""
    if not isinstance(rec, dict):
        raise BadRecord(f"expected a JSON object, got {type(rec).__name__}")
    if isinstance(rec.get("messages"), list):
        return "chat"
    if isinstance(rec.get("conversations"), list):
        return "sharegpt"
    if "instruction" in rec and ("output" in rec or "response" in rec):
        return "instruction"
    if "prompt" in rec and "completion" in rec:
        return "prompt-completion"
    if "question" in rec and "answer" in rec:
        return "question-answer"
    raise BadRecord(
        f"record is not in a known format (it has: {_keys(rec)}); expected 'messages' "
        "(chat), 'conversations' (ShareGPT), 'instruction'+'output' (or 'response'), "
        "'prompt'+'completion', 'question'+'answer' — or pass --field NAME to count one field"
    )
