from tests.channels_app.test_calendar_publishing import *  # noqa

def test_dbg(entity, author, sandbox):
    channel = _channel_for(entity, sandbox, Platform.BLUESKY)
    post = approved_post(entity, channel, author, text="Feria de empleo el viernes.")
    now = timezone.now()
    _die_while_publishing(post, now)
    print(services.posts_recover_stale(now=now))
    post.refresh_from_db()
    print(post.status, post.error)
    print(sandbox.world.requests[-3:])
    assert 0
