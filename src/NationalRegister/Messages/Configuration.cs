namespace NationalRegister.Messages;

public static class Configuration
{
    public static WebApplicationBuilder AddMessageBatches(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<MessageDispatcher>();
        builder.Services.AddSingleton<WholeEpisodes>();
        builder.Services.AddSingleton<MessageBatch>();
        return builder;
    }
}
